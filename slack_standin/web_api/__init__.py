"""The stand-in's Web API methods, without HTTP: each reads its arguments, checks them as
Slack does and changes the workspaces' state, as seen from where the call's token acts. One
module a family of methods: `oauth`, `users`, `conversations`, `chat`, `views`."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from slack_standin.arguments import ApiError
from slack_standin.directory import Directory, Scope
from slack_standin.tokens import Tokens
from slack_standin.web_api.chat import Chat
from slack_standin.web_api.conversations import Conversations
from slack_standin.web_api.oauth import OAuth
from slack_standin.web_api.users import Users
from slack_standin.web_api.views import Views
from slack_standin.workspace import JsonDict, Workspace, WorkspaceState

_Method = Callable[[JsonDict, Scope], JsonDict]


class WebApi:
    """Every Web API method, on the workspaces and their state; callers hold the lock.
    Channels, messages and views are kept by id, which Slack makes unique across
    workspaces."""

    def __init__(self, workspace: Workspace, others: Iterable[Workspace] = ()) -> None:
        self.directory = Directory([workspace, *others])
        self.tokens = Tokens(self.directory)
        self.state = WorkspaceState()
        self.oauth = OAuth(self.directory, self.tokens)
        users = Users(self.directory)
        conversations = Conversations(self.state)
        self.chat = Chat(self.directory, self.state, conversations)
        self.views = Views(self.state)
        self._methods: dict[str, _Method] = {
            "auth.test": users.auth_test,
            "users.info": users.users_info,
            "users.list": users.users_list,
            "conversations.info": conversations.conversations_info,
            "conversations.open": conversations.conversations_open,
            "conversations.history": conversations.conversations_history,
            "chat.postMessage": self.chat.chat_post_message,
            "chat.postEphemeral": self.chat.chat_post_ephemeral,
            "chat.update": self.chat.chat_update,
            "chat.getPermalink": self.chat.chat_get_permalink,
            "views.open": self.views.views_open,
            "views.push": self.views.views_push,
            "views.update": self.views.views_update,
            "views.publish": self.views.views_publish,
        }

    def call(self, method: str, params: JsonDict, token: str | None) -> JsonDict:
        try:
            if method == "oauth.v2.access":  # authenticated with the client id and secret
                return {"ok": True, **self.oauth.oauth_v2_access(params)}
            handler = self._methods.get(method)
            if handler is None:
                return {"ok": False, "error": "unknown_method"}
            return {"ok": True, **handler(params, self.tokens.scope(token))}
        except ApiError as error:
            return error.to_json()
