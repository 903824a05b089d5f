"""What people send licensebot, to typed values: `slash_text` reads `/license` text into a
command, `fields` reads a modal's fields into a request."""
