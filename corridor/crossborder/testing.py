"""Two Corridor instances in one test process, for the crossborder tests (and later ones).

One database holds both instances' rows; what makes an instance is its country
(`CORRIDOR_COUNTRY`) and its signing key (`CORRIDOR_SIGNING_KEY_FILE`). `Instance.active()`
switches both; `ClientTransport` delivers the sender's outbox into the receiving instance's
inbox view through Django's test client, acting as the receiver while it does.

    italy, nigeria = Instance.create("IT", tmp_path), Instance.create("NG", tmp_path)
    with italy.active():
        deliver_pending(transport=ClientTransport(client, nigeria))
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.test.utils import override_settings
from joserfc.jwk import OKPKey

from corridor.crossborder import keys
from corridor.crossborder.keys import SigningKey
from corridor.crossborder.messages import sign


@dataclass
class Instance:
    country: str
    key_file: str
    signing_key: SigningKey
    base_url: str = ""

    @classmethod
    def create(cls, country: str, directory: Path, *, port: int = 8000) -> Instance:
        key = OKPKey.generate_key(keys.CURVE, private=True)
        signing = SigningKey(f"{country.lower()}-{key.thumbprint()}", key)
        path = Path(directory) / f"{country.lower()}-signing-key.jwk"
        keys.write_key_file(path, signing)
        return cls(country, str(path), signing, f"http://127.0.0.1:{port}")

    @property
    def public_jwk(self) -> dict:
        return self.signing_key.public_jwk

    @contextmanager
    def active(self):
        with override_settings(
            CORRIDOR_COUNTRY=self.country, CORRIDOR_SIGNING_KEY_FILE=self.key_file
        ):
            yield self

    def sign(self, payload: dict, **kwargs) -> str:
        return sign(payload, self.signing_key, **kwargs)


@dataclass
class ClientTransport:
    """An outbox transport posting into this process's inbox as the `receiver` instance.

    `down=True`: every call fails like an unreachable server; `fail_with=503`: it answers
    that status without reaching the inbox; `lose_answers=n`: the next n messages reach the
    inbox but their answer is lost on the way back (a network cut after processing).
    """

    client: object
    receiver: Instance
    down: bool = False
    fail_with: int | None = None
    lose_answers: int = 0
    calls: list[dict] = field(default_factory=list)

    def __call__(self, url: str, body: bytes) -> tuple[int, dict | None]:
        self.calls.append({"url": url, "body": body})
        if self.down:
            raise ConnectionRefusedError("connection refused (test)")
        if self.fail_with:
            return self.fail_with, {"error": "unavailable"}
        with self.receiver.active():
            response = self.client.post(urlsplit(url).path, body, content_type="application/jose")
        if self.lose_answers:
            self.lose_answers -= 1
            raise TimeoutError("the answer was lost (test)")
        return response.status_code, response.json()
