"""The signed, HttpOnly cookie that keeps an anonymous participant's key between requests (hearings, focus groups).

It is named by the consultation's public id (URL-safe characters), so a view can read the key before loading
anything. Each kind of consultation signs with its own salt, so one kind's cookie is never taken for another's.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, current_app, request
from itsdangerous import URLSafeSerializer

#: 400 days, the longest browsers keep a cookie (Chrome caps it there): past any consultation's closing.
MAX_AGE_S = 60 * 60 * 24 * 400


@dataclass(frozen=True)
class ParticipantCookie:
    prefix: str
    salt: str

    def name(self, public_id: str) -> str:
        return f"{self.prefix}{public_id}"

    def serializer(self) -> URLSafeSerializer:
        return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=self.salt)

    def read(self, public_id: str) -> str | None:
        """The key in this request's cookie, None if there is none.

        Raises itsdangerous.BadSignature when the cookie was forged or signed with another key; the caller says
        so in its own words.
        """
        raw = request.cookies.get(self.name(public_id))
        if not raw:
            return None
        key = self.serializer().loads(raw)
        return key if isinstance(key, str) and key else None

    def set(self, response: Response, public_id: str, key: str) -> Response:
        response.set_cookie(
            self.name(public_id),
            self.serializer().dumps(key),
            max_age=MAX_AGE_S,
            path="/",
            secure=request.is_secure,
            httponly=True,
            samesite="Lax",
        )
        return response

    def forget(self, response: Response, public_id: str) -> Response:
        response.delete_cookie(self.name(public_id), path="/")
        return response
