"""`licensebot sandbox`: the real Bolt app, licensing service, scheduler and database, driven
from the terminal through the local Slack stand-in, interactively or from a script."""
