"""A fake LINE Platform on loopback: a real HTTP server in a thread, for the tests and the benchmark.

It answers the three calls the e-Service makes (reply, push, message content) the way LINE documents
them, records every call, and can be told to misbehave: be down (503), rate-limit (429), be slow, refuse
users who blocked the account (403), or accept a push and then lose the answer (500 after accepting, so
that the retry with the same ``X-Line-Retry-Key`` gets 409). What a person would see in their chat is
``delivered``: each accepted reply or push, once.
"""

import contextlib
import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CONTENT_PATH = re.compile(r"^/v2/bot/message/([^/]+)/content$")


class FakeLinePlatform:
    def __init__(self, access_token: str = "test-access-token"):
        self.access_token = access_token
        self.lock = threading.Lock()
        self.calls: list[dict] = []  # every request, as received
        self.delivered: list[dict] = []  # {"to", "via", "messages"}: what people see
        self.content: dict[str, bytes] = {}
        self.accepted_retry_keys: set[str] = set()
        self.used_reply_tokens: set[str] = set()
        self.reply_token_users: dict[str, str] = {}
        self.blocked: set[str] = set()
        self.down = False  # every call: 503
        self.fail_next: list[int] = []  # statuses to answer the next calls with, in order
        self.lose_next_answers = 0  # accept the push, then answer 500 (the answer was "lost")
        self.delay = 0.0  # seconds before answering (a slow platform)
        self.content_delay = 0.0
        platform = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # One write per answer, sent at once: headers and body in separate small writes meet the
            # client's delayed ACK and cost 40 ms an answer, which LINE's servers do not.
            wbufsize = 1 << 16
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def do_POST(self):
                platform._handle(self, "POST")

            def do_GET(self):
                platform._handle(self, "GET")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- life cycle ---------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> "FakeLinePlatform":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- what the tests read ------------------------------------------------------------------------

    def issue_reply_token(self, user_id: str) -> str:
        token = uuid.uuid4().hex
        with self.lock:
            self.reply_token_users[token] = user_id
        return token

    def seen_by(self, user_id: str) -> list[dict]:
        """Every message the user saw, in order."""
        with self.lock:
            return [message for item in self.delivered if item["to"] == user_id for message in item["messages"]]

    def texts(self, user_id: str) -> list[str]:
        return [message.get("text", "") for message in self.seen_by(user_id)]

    def last(self, user_id: str) -> dict:
        seen = self.seen_by(user_id)
        assert seen, f"nothing was sent to {user_id}"
        return seen[-1]

    # --- the API ------------------------------------------------------------------------------------

    def _answer(self, handler, status: int, body: dict | bytes, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _handle(self, handler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        path = handler.path.split("?")[0]
        call = {"method": method, "path": path, "headers": dict(handler.headers), "body": raw}
        with self.lock:
            self.calls.append(call)
            forced = self.fail_next.pop(0) if self.fail_next else None
        if handler.headers.get("Authorization") != f"Bearer {self.access_token}":
            return self._answer(handler, 401, {"message": "Authentication failed"})
        match = CONTENT_PATH.match(path)
        if method == "GET" and match:
            if self.content_delay:
                time.sleep(self.content_delay)
            if self.down or forced:
                return self._answer(handler, forced or 503, {"message": "unavailable"})
            data = self.content.get(match.group(1))
            if data is None:
                return self._answer(handler, 404, {"message": "Not found"})
            return self._answer(handler, 200, data, "image/jpeg")
        if self.delay:
            time.sleep(self.delay)
        if self.down:
            return self._answer(handler, 503, {"message": "Service unavailable"})
        if forced:
            return self._answer(handler, forced, {"message": f"forced {forced}"})
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return self._answer(handler, 400, {"message": "The request body has 1 error(s)"})
        messages = body.get("messages") or []
        if not 1 <= len(messages) <= 5:
            return self._answer(handler, 400, {"message": "The request body has 1 error(s)"})
        for message in messages:
            if len(message.get("quickReply", {}).get("items", [])) > 13:
                return self._answer(handler, 400, {"message": "quickReply items over 13"})
            for item in message.get("quickReply", {}).get("items", []):
                if len(item["action"].get("label", "")) > 20:
                    return self._answer(handler, 400, {"message": "label over 20 characters"})
        if method == "POST" and path == "/v2/bot/message/reply":
            token = body.get("replyToken", "")
            with self.lock:
                user = self.reply_token_users.get(token)
                if user is None or token in self.used_reply_tokens:
                    return self._answer(handler, 400, {"message": "Invalid reply token"})
                self.used_reply_tokens.add(token)
                self.delivered.append({"to": user, "via": "reply", "messages": messages})
            return self._answer(handler, 200, {"sentMessages": [{"id": uuid.uuid4().hex[:18]} for _ in messages]})
        if method == "POST" and path == "/v2/bot/message/push":
            key = handler.headers.get("X-Line-Retry-Key", "")
            to = body.get("to", "")
            with self.lock:
                if key and key in self.accepted_retry_keys:
                    return self._answer(handler, 409, {"message": "The retry key is already accepted",
                                                       "sentMessages": []})
                if to in self.blocked:
                    return self._answer(handler, 403, {"message": "The user has blocked the account"})
                if key:
                    self.accepted_retry_keys.add(key)
                self.delivered.append({"to": to, "via": "push", "messages": messages})
                lose = self.lose_next_answers > 0
                if lose:
                    self.lose_next_answers -= 1
            if lose:
                return self._answer(handler, 500, {"message": "answer lost"})
            return self._answer(handler, 200, {"sentMessages": [{"id": uuid.uuid4().hex[:18]} for _ in messages]})
        return self._answer(handler, 404, {"message": "Not found"})



def main() -> None:
    """``python -m tests.line_platform [ACCESS_TOKEN]``: serve the fake platform in its own process (for the
    benchmark, so that it does not share the measured process's interpreter); prints its port."""
    import sys

    platform = FakeLinePlatform(sys.argv[1] if len(sys.argv) > 1 else "test-access-token")
    print(f"listening on {platform.server.server_port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        platform.server.serve_forever()


if __name__ == "__main__":
    main()
