"""A Discord-compatible server for tests: the HTTP API and the gateway on 127.0.0.1.

The real discord.py client logs into it (point ``discord.http.Route.BASE`` at
:attr:`FakeDiscord.api_base_url` and ``DiscordWebSocket.DEFAULT_GATEWAY`` at
:attr:`FakeDiscord.gateway_url`). Tests then inject gateway events (interactions, direct
messages), await what the bot sends back (every HTTP request is recorded), and inject
faults: 429/500 answers to a route, a gateway RECONNECT, a dropped connection.

What real Discord does that discord.py depends on, and this server copies:

- JSON responses carry ``Content-Type: application/json`` exactly (no charset), or
  discord.py reads them as text.
- A 429 needs a ``Via`` header (else discord.py takes it for a Cloudflare ban) and a
  JSON body with ``retry_after``.
- Interaction payloads need ``attachment_size_limit``.
- READY carries ``resume_gateway_url``; RESUME replays the events the client missed.

And it misbehaves on purpose (see "misbehaving on purpose" below): it can close the gateway
with any close code at IDENTIFY, answer a route with any body (a user object where an
application is expected, HTML, nothing), send a READY missing fields, hold a request until
the test releases it, and it records the close code the client sent.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import WSMsgType, web

from tests.discord_server import payloads
from tests.discord_server.checks import payload_problems
from tests.discord_server.payloads import EPHEMERAL, JSON

log = logging.getLogger("tests.discord_server")
T = TypeVar("T")

OPTION_TYPES = {str: 3, int: 4, bool: 5}
ADMINISTRATOR = 1 << 3
READ_MESSAGE_HISTORY = 1 << 16
MESSAGE_ROUTES = frozenset({"callback", "edit_original", "followup", "edit_followup", "channel_message"})


@dataclass
class Recorded:
    """One HTTP request the client made, and the status it got."""

    method: str
    route: str
    path: str
    body: Any
    status: int
    at: float


@dataclass
class InteractionRecord:
    """An interaction the server sent, and everything the bot answered to it."""

    id: int
    token: str
    kind: int
    payload: JSON
    dispatched_at: float
    acknowledged_at: float | None = None
    callback: JSON | None = None
    # The original response as the user sees it: the callback's message (type 4) or the
    # latest edit of @original after a deferral (type 5).
    original: JSON | None = None
    original_message_id: int | None = None
    original_edits: int = 0
    followups: list[JSON] = field(default_factory=list)
    followup_message_ids: list[int] = field(default_factory=list)

    @property
    def acknowledgement_seconds(self) -> float | None:
        if self.acknowledged_at is None:
            return None
        return self.acknowledged_at - self.dispatched_at

    @property
    def callback_type(self) -> int | None:
        return None if self.callback is None else self.callback.get("type")

    @property
    def replies(self) -> list[JSON]:
        """The messages the user sees, in order (the original first)."""
        return ([self.original] if self.original is not None else []) + self.followups

    @property
    def ephemeral(self) -> bool:
        data = (self.callback or {}).get("data") or {}
        return bool(int(data.get("flags", 0) or 0) & EPHEMERAL)

    @property
    def choices(self) -> list[JSON] | None:
        if self.callback_type != 8:
            return None
        return (self.callback or {}).get("data", {}).get("choices", [])


@dataclass
class Session:
    """A gateway session: outlives connections, so a client can RESUME it."""

    id: str
    shard_id: int
    shard_count: int
    seq: int = 0
    buffer: list[tuple[int, str, JSON]] = field(default_factory=list)
    connection: Connection | None = None


@dataclass
class Connection:
    ws: web.WebSocketResponse
    transport: asyncio.Transport | None
    session: Session | None = None
    closed: bool = False
    # The close code the client sent (1000: a clean close), or 1006 when it vanished without one.
    close_code: int | None = None

    async def send(self, payload: JSON) -> bool:
        if self.closed or self.ws.closed:
            return False
        try:
            await self.ws.send_str(json.dumps(payload))
        except (ConnectionError, RuntimeError):
            return False
        return True


class FakeDiscord:
    """The Discord API and gateway, in-process, for one bot application."""

    def __init__(
        self, *, token: str = "test-token.fake.0123456789", heartbeat_interval_ms: int = 41_250
    ) -> None:
        self.token = token
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.snowflake = payloads.Snowflakes()
        self.application_id = self.snowflake()
        self.bot_user = payloads.user(self.application_id, "citebot", bot=True)
        self.owner = self.new_user("owner")
        self.guild_id = self.snowflake()
        self.channel_id = self.snowflake()
        self.role_id = self.snowflake()
        self.channels: dict[int, JSON] = {
            self.channel_id: payloads.text_channel(self.channel_id, self.guild_id)
        }
        self.guild = payloads.guild(
            self.guild_id,
            "Test guild",
            owner_id=int(self.owner["id"]),
            channels=[self.channels[self.channel_id]],
            roles=[payloads.role(self.guild_id, "@everyone"), payloads.role(self.role_id, "moderators")],
        )
        # As Discord does, GUILD_CREATE includes the bot's own member (discord.py's guild.me).
        own_member = {
            key: value for key, value in payloads.member(self.bot_user).items() if key != "permissions"
        }
        self.guild["members"] = [own_member]
        self.commands: dict[int | None, list[JSON]] = {}
        self.command_syncs: list[int | None] = []
        self.messages: dict[int, JSON] = {}
        self.channel_posts: defaultdict[int, list[JSON]] = defaultdict(list)
        self.dm_channels: dict[int, int] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self.requests: list[Recorded] = []
        self.faults: defaultdict[str, deque[int]] = defaultdict(deque)
        self.sessions: dict[str, Session] = {}
        self.shard_sessions: dict[int, Session] = {}
        self.connections: list[Connection] = []
        self.identifies = 0
        self.identify_payloads: list[JSON] = []
        self.resumes = 0
        self.heartbeats: list[float] = []
        self.typing: list[int] = []
        # Threads started from a message: message id → thread (a thread has its message's id).
        self.threads: dict[int, JSON] = {}
        # Message bodies refused as Discord would (400 Invalid Form Body), with why.
        self.rejected: list[tuple[str, list[str]]] = []
        # Misbehaving on purpose: see the section of that name.
        self.close_on_identify: int | None = None
        self.odd_replies: defaultdict[str, deque[web.Response]] = defaultdict(deque)
        self.ready_changes: JSON = {}
        self.held: dict[str, asyncio.Event] = {}
        self.holding: list[str] = []
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._routes = self._route_table()

    # --- lifecycle --------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.handle_gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self.handle_api)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        for connection in self.connections:
            if not connection.ws.closed:
                await connection.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def now(self) -> float:
        return asyncio.get_running_loop().time()

    # --- state helpers ----------------------------------------------------------

    def new_user(self, name: str) -> JSON:
        return payloads.user(self.snowflake(), name)

    def dm_channel_id(self, user_data: JSON) -> int:
        user_id = int(user_data["id"])
        if user_id not in self.dm_channels:
            channel_id = self.snowflake()
            self.dm_channels[user_id] = channel_id
            self.channels[channel_id] = payloads.dm_channel(channel_id, user_data)
        return self.dm_channels[user_id]

    def guild_message(self, content: str, author: JSON | None = None) -> JSON:
        """A message someone posted in the guild's channel (e.g. the target of "Check sources")."""
        message_id = self.snowflake()
        data = payloads.message(
            message_id, self.channel_id, author or self.owner, content, guild_id=self.guild_id
        )
        self.messages[message_id] = data
        return data

    def command(self, name: str, kind: int = 1) -> JSON:
        """A synced command by name: guild commands first, then global ones."""
        for scope in (self.guild_id, None):
            for command in self.commands.get(scope, []):
                if command["name"] == name and command.get("type", 1) == kind:
                    return command
        raise AssertionError(f"command {name!r} (type {kind}) was never synced; synced: {self.commands}")

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, predicate: Callable[[], T], *, timeout: float = 10.0, what: str = "") -> T:
        """Wait until ``predicate()`` is truthy (re-checked on every change); return its value."""
        async with self._changed:
            try:
                return await asyncio.wait_for(self._changed.wait_for(predicate), timeout)
            except TimeoutError:
                raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}") from None

    # --- faults -----------------------------------------------------------------

    def fail_next(self, route: str, *statuses: int) -> None:
        """Answer the next requests to ``route`` (a route name, e.g. "edit_original") with these statuses."""
        self.faults[route].extend(statuses)

    # --- misbehaving on purpose -------------------------------------------------

    def reply_next(
        self, route: str, body: Any, *, status: int = 200, content_type: str = "application/json"
    ) -> None:
        """Answer the next request to ``route`` with this body, whatever the client expects there.

        ``body`` is sent as JSON, or as is when it is ``str``/``bytes`` (HTML, garbage, nothing).
        """
        raw = (
            body.encode() if isinstance(body, str) else body if isinstance(body, bytes) else json.dumps(body)
        )
        headers = {"Content-Type": content_type} if content_type else {}
        self.odd_replies[route].append(web.Response(status=status, body=raw, headers=headers))

    def hold(self, route: str) -> asyncio.Event:
        """Keep the next requests to ``route`` waiting until the returned event is set.

        ``holding`` lists the held routes as requests arrive, so a test can act while the
        client waits (e.g. stop the bot with an answer in flight).
        """
        event = asyncio.Event()
        self.held[route] = event
        return event

    # --- HTTP -------------------------------------------------------------------

    def _route_table(self) -> list[tuple[str, re.Pattern[str], str, Callable[..., Awaitable[Any]]]]:
        webhook = r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)"
        table = [
            ("GET", r"/users/@me", "me", self.get_me),
            ("GET", r"/oauth2/applications/@me", "application", self.get_application),
            ("GET", r"/gateway", "gateway", self.get_gateway),
            ("GET", r"/gateway/bot", "gateway_bot", self.get_gateway_bot),
            ("PUT", r"/applications/(?P<app>\d+)/commands", "sync_global", self.put_commands),
            ("GET", r"/applications/(?P<app>\d+)/commands", "get_global", self.get_commands),
            (
                "PUT",
                r"/applications/(?P<app>\d+)/guilds/(?P<guild>\d+)/commands",
                "sync_guild",
                self.put_commands,
            ),
            (
                "GET",
                r"/applications/(?P<app>\d+)/guilds/(?P<guild>\d+)/commands",
                "get_guild",
                self.get_commands,
            ),
            ("POST", r"/interactions/(?P<id>\d+)/(?P<token>[^/]+)/callback", "callback", self.post_callback),
            ("GET", webhook + r"/messages/@original", "get_original", self.get_original),
            ("PATCH", webhook + r"/messages/@original", "edit_original", self.patch_original),
            ("DELETE", webhook + r"/messages/@original", "delete_original", self.no_content),
            ("POST", webhook, "followup", self.post_followup),
            ("PATCH", webhook + r"/messages/(?P<message>\d+)", "edit_followup", self.patch_followup),
            ("DELETE", webhook + r"/messages/(?P<message>\d+)", "delete_followup", self.no_content),
            ("POST", r"/channels/(?P<channel>\d+)/messages", "channel_message", self.post_channel_message),
            (
                "POST",
                r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)/threads",
                "start_thread",
                self.post_thread,
            ),
            ("POST", r"/channels/(?P<channel>\d+)/typing", "typing", self.post_typing),
            ("POST", r"/users/@me/channels", "create_dm", self.post_dm_channel),
            ("GET", r"/channels/(?P<channel>\d+)", "get_channel", self.get_channel),
        ]
        return [(method, re.compile(pattern), name, handler) for method, pattern, name, handler in table]

    @staticmethod
    def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        # Exactly "application/json": aiohttp's json_response adds "; charset=utf-8", which
        # discord.py's json_or_text does not recognise.
        return web.Response(
            status=status,
            body=json.dumps(data).encode(),
            headers={"Content-Type": "application/json", **(headers or {})},
        )

    @staticmethod
    async def read_body(request: web.Request) -> Any:
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if getattr(part, "name", None) == "payload_json":
                    return json.loads(await part.text())  # type: ignore[union-attr]
            return None
        text = await request.text()
        return json.loads(text) if text else None

    def fault_response(self, status: int) -> web.Response:
        if status == 429:
            # discord.py retries a 429 only with a Via header and a JSON retry_after.
            body = {"message": "You are being rate limited.", "retry_after": 0.05, "global": False}
            headers = {"Via": "1.1 google", "Retry-After": "1", "X-RateLimit-Scope": "user"}
            return self.json_response(body, 429, headers)
        return self.json_response({"message": f"{status}: Server Error", "code": 0}, status)

    async def handle_api(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body = await self.read_body(request)
        for method, pattern, name, handler in self._routes:
            match = pattern.fullmatch(path)
            if method != request.method or match is None:
                continue
            if not name.startswith(("callback", "get_original", "edit_", "delete_", "followup")) and (
                request.headers.get("Authorization") != f"Bot {self.token}"
            ):
                response = self.json_response({"message": "401: Unauthorized", "code": 0}, 401)
            elif self.faults[name]:
                response = self.fault_response(self.faults[name].popleft())
            elif self.odd_replies[name]:
                response = self.odd_replies[name].popleft()
            elif problems := self.invalid_form(name, body):
                self.rejected.append((name, problems))
                error = {"code": 50035, "message": "Invalid Form Body", "errors": problems}
                response = self.json_response(error, 400)
            else:
                if name in self.held:
                    self.holding.append(name)
                    await self._notify()
                    await self.held[name].wait()
                response = await handler(match, body, request)
            self.requests.append(Recorded(request.method, name, path, body, response.status, self.now))
            await self._notify()
            return response
        self.requests.append(Recorded(request.method, "unknown", path, body, 404, self.now))
        log.warning("fake Discord: no route for %s %s", request.method, path)
        return self.json_response({"message": "404: Not Found", "code": 0}, 404)

    @staticmethod
    def invalid_form(route: str, body: Any) -> list[str]:
        """What Discord would refuse in a message body sent to this route."""
        if route not in MESSAGE_ROUTES or not isinstance(body, dict):
            return []
        message = body.get("data") if route == "callback" else body
        return payload_problems(message) if isinstance(message, dict) else []

    async def no_content(self, *_: Any) -> web.Response:
        return web.Response(status=204)

    async def get_me(self, *_: Any) -> web.Response:
        return self.json_response(self.bot_user)

    async def get_application(self, *_: Any) -> web.Response:
        return self.json_response(
            {
                "id": str(self.application_id),
                "name": "citebot",
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": self.owner,
                "verify_key": "0" * 64,
                "flags": 0,
            }
        )

    async def get_gateway(self, *_: Any) -> web.Response:
        return self.json_response({"url": self.gateway_url})

    async def get_gateway_bot(self, *_: Any) -> web.Response:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 16}
        return self.json_response({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    async def put_commands(self, match: re.Match[str], body: Any, _request: web.Request) -> web.Response:
        guild = match.groupdict().get("guild")
        scope = int(guild) if guild else None
        stored = []
        for command in body or []:
            command = {**command, "id": str(self.snowflake()), "application_id": str(self.application_id)}
            command.setdefault("type", 1)
            command.setdefault("description", "")  # Discord stores "" for context menus
            command.setdefault("version", str(self.snowflake()))
            if scope is not None:
                command["guild_id"] = str(scope)
            stored.append(command)
        self.commands[scope] = stored
        self.command_syncs.append(scope)
        return self.json_response(stored)

    async def get_commands(self, match: re.Match[str], _body: Any, _request: web.Request) -> web.Response:
        guild = match.groupdict().get("guild")
        return self.json_response(self.commands.get(int(guild) if guild else None, []))

    def _bot_message(self, channel_id: int, body: JSON, *, webhook: bool = False) -> JSON:
        message_id = self.snowflake()
        channel = self.channels.get(channel_id, {})
        guild_id = int(channel["guild_id"]) if channel.get("guild_id") else None
        data = payloads.message(
            message_id,
            channel_id,
            self.bot_user,
            body.get("content") or "",
            guild_id=guild_id,
            embeds=body.get("embeds"),
            components=body.get("components"),
            flags=int(body.get("flags") or 0),
            webhook_id=self.application_id if webhook else None,
            application_id=self.application_id if webhook else None,
        )
        self.messages[message_id] = data
        return data

    def _interaction_by_token(self, token: str) -> InteractionRecord | None:
        return next((record for record in self.interactions.values() if record.token == token), None)

    async def post_callback(self, match: re.Match[str], body: Any, _request: web.Request) -> web.Response:
        record = self.interactions.get(int(match["id"]))
        if record is None or record.token != match["token"]:
            return self.json_response({"message": "Unknown interaction", "code": 10062}, 404)
        if record.callback is not None:
            return self.json_response(
                {"message": "Interaction has already been acknowledged.", "code": 40060}, 400
            )
        record.callback = body
        record.acknowledged_at = self.now
        kind = body["type"]
        data = body.get("data") or {}
        channel_id = int(record.payload["channel_id"])
        result: JSON = {
            "interaction": {
                "id": str(record.id),
                "type": record.kind,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(int(data.get("flags", 0) or 0) & EPHEMERAL),
            }
        }
        message: JSON | None = None
        if kind in (4, 5):
            message = self._bot_message(
                channel_id, data if kind == 4 else {"flags": data.get("flags", 0)}, webhook=True
            )
            record.original_message_id = int(message["id"])
            if kind == 4:
                record.original = data
        elif kind == 7 and "message" in record.payload:
            message = self.messages.get(int(record.payload["message"]["id"]))
            if message is not None:
                message.update(
                    {key: value for key, value in data.items() if key in ("content", "embeds", "components")}
                )
                record.original = data
        if message is not None:
            result["interaction"]["response_message_id"] = message["id"]
            result["resource"] = {"type": kind, "message": message}
        return self.json_response(result)

    async def get_original(self, match: re.Match[str], _body: Any, _request: web.Request) -> web.Response:
        record = self._interaction_by_token(match["token"])
        if record is None or record.original_message_id is None:
            return self.json_response({"message": "Unknown Message", "code": 10008}, 404)
        return self.json_response(self.messages[record.original_message_id])

    async def patch_original(self, match: re.Match[str], body: Any, _request: web.Request) -> web.Response:
        record = self._interaction_by_token(match["token"])
        if record is None or record.original_message_id is None:
            return self.json_response({"message": "Unknown Webhook", "code": 10015}, 404)
        message = self.messages[record.original_message_id]
        message.update(
            {key: value for key, value in body.items() if key in ("content", "embeds", "components")}
        )
        record.original = body
        record.original_edits += 1
        return self.json_response(message)

    async def post_followup(self, match: re.Match[str], body: Any, _request: web.Request) -> web.Response:
        record = self._interaction_by_token(match["token"])
        if record is None:
            return self.json_response({"message": "Unknown Webhook", "code": 10015}, 404)
        record.followups.append(body)
        message = self._bot_message(int(record.payload["channel_id"]), body, webhook=True)
        record.followup_message_ids.append(int(message["id"]))
        return self.json_response(message)

    async def patch_followup(self, match: re.Match[str], body: Any, _request: web.Request) -> web.Response:
        message = self.messages.get(int(match["message"]))
        if message is None:
            return self.json_response({"message": "Unknown Message", "code": 10008}, 404)
        message.update(
            {key: value for key, value in body.items() if key in ("content", "embeds", "components")}
        )
        return self.json_response(message)

    @property
    def everyone_permissions(self) -> int:
        """The permissions of the guild's @everyone role: the bot's own, as it has no other role."""
        return int(self.guild["roles"][0]["permissions"])

    def set_everyone_permissions(self, permissions: int) -> None:
        """Change @everyone's permissions (before the bot starts: it reads them at GUILD_CREATE)."""
        self.guild["roles"][0]["permissions"] = str(permissions)

    async def post_channel_message(
        self, match: re.Match[str], body: Any, _request: web.Request
    ) -> web.Response:
        channel_id = int(match["channel"])
        in_guild = bool(self.channels.get(channel_id, {}).get("guild_id"))
        if (
            in_guild
            and (body or {}).get("message_reference")
            and not (self.everyone_permissions & READ_MESSAGE_HISTORY)
        ):
            # Discord: replying in a server channel needs Read Message History.
            return self.json_response({"message": "Missing Permissions", "code": 50013}, 403)
        self.channel_posts[channel_id].append(body)
        return self.json_response(self._bot_message(channel_id, body))

    async def post_thread(self, match: re.Match[str], body: Any, _request: web.Request) -> web.Response:
        """Start a public thread from a message; a second thread on one message is refused."""
        parent = self.channels.get(int(match["channel"]))
        message_id = int(match["message"])
        if parent is None or message_id not in self.messages:
            return self.json_response({"message": "Unknown Message", "code": 10008}, 404)
        if message_id in self.threads:
            error = {"message": "A thread has already been created for this message", "code": 160004}
            return self.json_response(error, 400)
        name = str((body or {}).get("name") or "")
        if not 1 <= len(name) <= 100:
            return self.json_response({"message": "Invalid Form Body", "code": 50035}, 400)
        thread = payloads.thread_channel(message_id, parent, owner_id=self.application_id, name=name)
        self.threads[message_id] = thread
        self.channels[message_id] = thread
        self.guild["threads"] = list(self.threads.values())
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True}, guild_id=self.guild_id)
        return self.json_response(thread, 201)

    async def post_typing(self, match: re.Match[str], _body: Any, _request: web.Request) -> web.Response:
        self.typing.append(int(match["channel"]))
        return web.Response(status=204)

    async def post_dm_channel(self, _match: re.Match[str], body: Any, _request: web.Request) -> web.Response:
        recipient = payloads.user(int(body["recipient_id"]), "someone")
        return self.json_response(self.channels[self.dm_channel_id(recipient)])

    async def get_channel(self, match: re.Match[str], _body: Any, _request: web.Request) -> web.Response:
        channel = self.channels.get(int(match["channel"]))
        if channel is None:
            return self.json_response({"message": "Unknown Channel", "code": 10003}, 404)
        return self.json_response(channel)

    # --- what the bot sent ------------------------------------------------------

    def message_payloads(self) -> list[JSON]:
        """Every message body the bot sent (created or edited), as sent."""
        bodies = []
        for request in self.requests:
            if request.route not in MESSAGE_ROUTES or not isinstance(request.body, dict):
                continue
            body = request.body.get("data") if request.route == "callback" else request.body
            if isinstance(body, dict) and ("content" in body or "embeds" in body):
                bodies.append(body)
        return bodies

    def messages_of(self, record: InteractionRecord) -> list[JSON]:
        """The messages of an interaction's response as they are now (original first, with components)."""
        ids = [record.original_message_id, *record.followup_message_ids]
        return [self.messages[message_id] for message_id in ids if message_id is not None]

    def successful(self, route: str) -> list[Recorded]:
        return [request for request in self.requests if request.route == route and request.status < 300]

    async def replies(
        self, record: InteractionRecord, count: int = 1, *, timeout: float = 10.0
    ) -> list[JSON]:
        """The first ``count`` messages the user sees for this interaction."""
        return await self.wait_for(
            lambda: record.replies[:count] if len(record.replies) >= count else None,
            timeout=timeout,
            what=f"{count} replies to interaction {record.id}",
        )

    async def callback(self, record: InteractionRecord, *, timeout: float = 10.0) -> JSON:
        return await self.wait_for(lambda: record.callback, timeout=timeout, what=f"callback of {record.id}")

    async def posts(self, channel_id: int, count: int = 1, *, timeout: float = 10.0) -> list[JSON]:
        """The first ``count`` messages the bot posted in a channel (e.g. a DM)."""
        posts = self.channel_posts[channel_id]
        return await self.wait_for(
            lambda: posts[:count] if len(posts) >= count else None,
            timeout=timeout,
            what=f"{count} messages in channel {channel_id}",
        )

    # --- gateway ----------------------------------------------------------------

    async def handle_gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        connection = Connection(ws, request.transport)  # type: ignore[arg-type]
        self.connections.append(connection)
        await connection.send(
            {"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}, "s": None, "t": None}
        )
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    await self.on_gateway_message(connection, json.loads(message.data))
        finally:
            connection.closed = True
            connection.close_code = ws.close_code
            if connection.session is not None and connection.session.connection is connection:
                connection.session.connection = None
            await self._notify()
        return ws

    async def on_gateway_message(self, connection: Connection, message: JSON) -> None:
        op, data = message.get("op"), message.get("d")
        if op == 1:
            self.heartbeats.append(self.now)
            await connection.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self.identify(connection, data)
        elif op == 6:
            await self.resume(connection, data)
        await self._notify()

    def guilds_of_shard(self, shard_id: int, shard_count: int) -> list[JSON]:
        return [self.guild] if (self.guild_id >> 22) % shard_count == shard_id else []

    async def identify(self, connection: Connection, data: JSON) -> None:
        if data.get("token") != self.token:
            await connection.ws.close(code=4004, message=b"Authentication failed.")
            return
        if self.close_on_identify is not None:
            await connection.ws.close(code=self.close_on_identify, message=b"Closed on purpose by the test.")
            return
        self.identify_payloads.append({**data, "token": "[redacted]"})
        shard_id, shard_count = data.get("shard") or [0, 1]
        session = Session(uuid.uuid4().hex, shard_id, shard_count, connection=connection)
        connection.session = session
        self.sessions[session.id] = session
        self.shard_sessions[shard_id] = session
        self.identifies += 1
        guilds = self.guilds_of_shard(shard_id, shard_count)
        ready = {
            "v": 10,
            "user": self.bot_user,
            "guilds": [{"id": guild["id"], "unavailable": True} for guild in guilds],
            "session_id": session.id,
            "resume_gateway_url": self.gateway_url,
            "shard": [shard_id, shard_count],
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
        }
        for key, value in self.ready_changes.items():
            if value is None:
                ready.pop(key, None)
            else:
                ready[key] = value
        await self.dispatch_to(session, "READY", ready)
        for guild in guilds:
            await self.dispatch_to(session, "GUILD_CREATE", guild)

    async def resume(self, connection: Connection, data: JSON) -> None:
        session = self.sessions.get(data.get("session_id", ""))
        if session is None or data.get("token") != self.token:
            await connection.send({"op": 9, "d": False, "s": None, "t": None})
            return
        session.connection = connection
        connection.session = session
        self.resumes += 1
        # Replay what the client missed while disconnected, then confirm.
        for seq, event, payload in session.buffer:
            if seq > (data.get("seq") or 0):
                await connection.send({"op": 0, "s": seq, "t": event, "d": payload})
        await self.dispatch_to(session, "RESUMED", {})

    async def dispatch_to(self, session: Session, event: str, data: JSON) -> None:
        """Send a DISPATCH on a session; kept for replay if the client is disconnected."""
        session.seq += 1
        session.buffer.append((session.seq, event, data))
        if session.connection is not None:
            await session.connection.send({"op": 0, "s": session.seq, "t": event, "d": data})

    def session_for(self, guild_id: int | None) -> Session:
        shard_id = 0
        if guild_id is not None and self.shard_sessions:
            count = next(iter(self.shard_sessions.values())).shard_count
            shard_id = (guild_id >> 22) % count
        session = self.shard_sessions.get(shard_id)
        if session is None:
            raise AssertionError("the bot has not identified on the gateway")
        return session

    async def dispatch(self, event: str, data: JSON, *, guild_id: int | None = None) -> None:
        await self.dispatch_to(self.session_for(guild_id), event, data)

    def current_connection(self, shard_id: int = 0) -> Connection:
        session = self.shard_sessions[shard_id]
        if session.connection is None:
            raise AssertionError(f"shard {shard_id} is not connected")
        return session.connection

    async def send_reconnect(self, shard_id: int = 0) -> None:
        """Gateway opcode 7: Discord asks the client to reconnect and resume."""
        await self.current_connection(shard_id).send({"op": 7, "d": None, "s": None, "t": None})

    async def drop_connection(self, shard_id: int = 0) -> None:
        """Cut the TCP connection under the websocket, with no close frame (a network failure)."""
        connection = self.current_connection(shard_id)
        connection.closed = True
        connection.session = None
        self.shard_sessions[shard_id].connection = None
        if connection.transport is not None:
            connection.transport.abort()

    async def wait_connected(self, *, identifies: int = 1, resumes: int = 0, timeout: float = 10.0) -> None:
        def connected() -> bool:
            sessions = list(self.shard_sessions.values())
            return (
                self.identifies >= identifies
                and self.resumes >= resumes
                and bool(sessions)
                and all(session.connection is not None for session in sessions)
            )

        await self.wait_for(connected, timeout=timeout, what=f"{identifies} identifies and {resumes} resumes")

    # --- injecting events -------------------------------------------------------

    async def send_interaction(
        self,
        kind: int,
        data: JSON | None,
        *,
        user: JSON | None = None,
        in_guild: bool = True,
        message: JSON | None = None,
        channel_id: int | None = None,
        user_install: bool = False,
        guild_id: int | None = None,
        app_permissions: int | None = None,
    ) -> InteractionRecord:
        """Dispatch an INTERACTION_CREATE. By default in the guild's channel (or the user's DM with
        ``in_guild=False``); ``channel_id`` picks another known channel (a thread, say);
        ``guild_id`` a server the bot is not in (with ``user_install``: the user installed the app);
        ``app_permissions`` the bot's permissions in the channel (default: all).
        """
        user = user or self.owner
        interaction_id = self.snowflake()
        token = f"interaction-token-{interaction_id}-{uuid.uuid4().hex}"
        if channel_id is not None:
            channel = self.channels[channel_id]
        else:
            channel = self.channels[self.channel_id] if in_guild else self.channels[self.dm_channel_id(user)]
        if guild_id is None:
            guild_id = int(channel["guild_id"]) if channel.get("guild_id") else None
        context = None
        if user_install and guild_id is None and channel.get("type") == 1:
            # A DM between two users (not with the bot): a "private channel" context.
            context = 2 if user["id"] not in {r["id"] for r in channel.get("recipients", [])} else 1
        payload = payloads.interaction(
            interaction_id=interaction_id,
            application_id=self.application_id,
            token=token,
            kind=kind,
            data=data,
            user_data=user,
            channel=channel,
            guild_id=guild_id,
            message_data=message,
            user_install=user_install,
            context=context,
            app_permissions=app_permissions,
        )
        record = InteractionRecord(interaction_id, token, kind, payload, dispatched_at=self.now)
        self.interactions[interaction_id] = record
        # A server the bot is not in has no shard of its own: its events come on shard 0.
        shard_guild = guild_id if guild_id == self.guild_id else None
        await self.dispatch("INTERACTION_CREATE", payload, guild_id=shard_guild)
        return record

    def private_channel(self, user: JSON, other: JSON) -> int:
        """A DM between two users (the bot is not in it): where a user-installed app can still answer."""
        channel_id = self.snowflake()
        self.channels[channel_id] = payloads.dm_channel(channel_id, other)
        return channel_id

    def foreign_channel(self) -> tuple[int, int]:
        """A text channel in a server the bot is not a member of: (guild id, channel id)."""
        guild_id, channel_id = self.snowflake(), self.snowflake()
        self.channels[channel_id] = payloads.text_channel(channel_id, guild_id, name="elsewhere")
        return guild_id, channel_id

    def add_text_channel(self, name: str) -> int:
        """Another text channel in the test guild (sent to the bot at its next GUILD_CREATE)."""
        channel_id = self.snowflake()
        self.channels[channel_id] = payloads.text_channel(channel_id, self.guild_id, name=name)
        self.guild["channels"].append(self.channels[channel_id])
        return channel_id

    async def slash(
        self, command_name: str, /, *, user: JSON | None = None, **options: Any
    ) -> InteractionRecord:
        """Someone runs ``/command_name option:value ...`` (in the guild's channel unless ``where`` says).

        ``where`` may hold send_interaction's place arguments: channel_id, in_guild, user_install, guild_id.
        """
        where = options.pop("where", {})
        command = self.command(command_name)
        data = {
            "id": command["id"],
            "name": command_name,
            "type": 1,
            "options": [
                {"name": key, "type": OPTION_TYPES[type(value)], "value": value}
                for key, value in options.items()
            ],
        }
        return await self.send_interaction(2, data, user=user, **where)

    async def autocomplete(
        self, name: str, option: str, value: str, *, user: JSON | None = None, **where: Any
    ) -> InteractionRecord:
        """Someone is typing ``value`` into option ``option`` of ``/name``."""
        command = self.command(name)
        options = [{"name": option, "type": 3, "value": value, "focused": True}]
        data = {"id": command["id"], "name": name, "type": 1, "options": options}
        return await self.send_interaction(4, data, user=user, **where)

    async def message_command(
        self, name: str, target: JSON, *, user: JSON | None = None, **where: Any
    ) -> InteractionRecord:
        """Someone right-clicks ``target`` → Apps → ``name``."""
        command = self.command(name, kind=3)
        data = {
            "id": command["id"],
            "name": name,
            "type": 3,
            "target_id": target["id"],
            "resolved": {"messages": {target["id"]: target}},
        }
        where.setdefault("channel_id", int(target["channel_id"]))
        return await self.send_interaction(2, data, user=user, **where)

    def _message_where(self, message: JSON) -> dict[str, Any]:
        """Where a component on ``message`` is clicked: the message's channel."""
        channel_id = int(message["channel_id"])
        if channel_id in self.channels:
            return {"channel_id": channel_id}
        return {}

    async def click(self, message: JSON, custom_id: str, *, user: JSON | None = None) -> InteractionRecord:
        """Someone clicks the button ``custom_id`` on ``message``."""
        data = {"custom_id": custom_id, "component_type": 2}
        return await self.send_interaction(
            3, data, user=user, message=message, **self._message_where(message)
        )

    async def choose(
        self, message: JSON, custom_id: str, values: list[str], *, user: JSON | None = None
    ) -> InteractionRecord:
        """Someone picks ``values`` in the select menu ``custom_id`` on ``message``."""
        data = {"custom_id": custom_id, "component_type": 3, "values": values}
        return await self.send_interaction(
            3, data, user=user, message=message, **self._message_where(message)
        )

    async def mention(self, channel_id: int, text: str, *, author: JSON | None = None) -> JSON:
        """Someone posts ``<@bot> text`` in a guild channel or thread: MESSAGE_CREATE with its content,
        which Discord includes without the Message Content intent because it mentions the bot."""
        author = author or self.owner
        content = f"<@{self.application_id}> {text}"
        message = payloads.message(self.snowflake(), channel_id, author, content, guild_id=self.guild_id)
        message["mentions"] = [self.bot_user]
        message["member"] = {key: value for key, value in payloads.member(author).items() if key != "user"}
        self.messages[int(message["id"])] = message
        await self.dispatch("MESSAGE_CREATE", message, guild_id=self.guild_id)
        return message

    async def chatter(self, channel_id: int, *, author: JSON | None = None) -> JSON:
        """Someone posts a message not mentioning the bot: without Message Content, its content is empty."""
        author = author or self.owner
        message = payloads.message(self.snowflake(), channel_id, author, "", guild_id=self.guild_id)
        message["member"] = {key: value for key, value in payloads.member(author).items() if key != "user"}
        await self.dispatch("MESSAGE_CREATE", message, guild_id=self.guild_id)
        return message

    async def direct_message(self, user: JSON, content: str) -> int:
        """``user`` sends the bot a direct message; returns the DM channel id."""
        channel_id = self.dm_channel_id(user)
        message = payloads.message(self.snowflake(), channel_id, user, content)
        self.messages[int(message["id"])] = message
        await self.dispatch("MESSAGE_CREATE", message)
        return channel_id
