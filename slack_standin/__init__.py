"""The local Slack: a stand-in workspace, its Web API and a client that calls the bot as Slack
does.

`server.FakeSlack` is a real HTTP server on loopback that answers the Web API methods the bot
uses (point slack_sdk's `base_url` at `FakeSlack.api_url`) and records every call; the methods
themselves are in `web_api`, the people, channels and posted messages in `workspace`. It may
hold several workspaces, in Enterprise Grid orgs or not (`directory`); each bot token acts for
one workspace or, installed org-wide, for a whole org (`tokens`), and channels shared through
Slack Connect reach across organisations. `requester.SlackRequester` posts signed slash
commands, interactivity payloads and events to the bot's HTTP endpoint, shaped as Slack sends
them on Grid, for an org-wide install, or from another organisation through a shared channel.
End-to-end tests, the terminal sandbox and the benchmarks use it, so that they exercise the
same HTTP, signing and JSON handling as production; production never imports it.
"""
