"""The chain head, anchored outside the database.

The hash chain shows any edit, insertion or removal — unless someone who controls the
database rewrites the whole chain and its head. So, at intervals, the head (how many events,
the last one's id and hash) is appended to a file the database cannot reach
(`CORRIDOR_AUDIT_ANCHOR_FILE`; in production on other storage, or shipped off the machine),
each line sealed with a key derived from the instance's secret key, which is not in the
database either. `corridor audit verify` checks every anchor against the trail: a rewritten
or truncated trail no longer matches what was anchored before.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from corridor.audit.models import AuditChainHead, AuditEvent


@dataclass
class AnchorProblem:
    event_id: int | None
    problem: str


def anchor_file() -> Path | None:
    name = getattr(settings, "CORRIDOR_AUDIT_ANCHOR_FILE", "")
    return Path(name) if name else None


def _seal(fields: dict) -> str:
    key = hashlib.sha256(b"corridor-audit-anchor:" + settings.SECRET_KEY.encode()).digest()
    message = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def anchor_head() -> dict | None:
    """Append the current head to the anchor file (unless nothing was added since)."""
    path = anchor_file()
    if path is None:
        return None
    head = AuditChainHead.objects.filter(pk=1).first()
    last = (
        AuditEvent.objects.filter(chain_seq__isnull=False)
        .order_by("-chain_seq")
        .values("id", "hash")
        .first()
    )
    if head is None or last is None:
        return None
    anchors = read_anchors(path)
    if anchors and anchors[-1].get("count") == head.count:
        return anchors[-1]
    fields = {
        "at": timezone.now().isoformat(timespec="seconds"),
        "count": head.count,
        "event_id": last["id"],
        "hash": last["hash"],
    }
    line = {**fields, "seal": _seal(fields)}
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return line


def read_anchors(path: Path | None = None) -> list[dict]:
    path = path or anchor_file()
    if path is None or not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def check_anchors() -> AnchorProblem | None:
    """The first anchor the trail in the database no longer matches, if any."""
    try:
        anchors = read_anchors()
    except (OSError, ValueError):
        return AnchorProblem(None, "the anchor file cannot be read")
    head = AuditChainHead.objects.filter(pk=1).first()
    for anchor in anchors:
        fields = {k: anchor.get(k) for k in ("at", "count", "event_id", "hash")}
        if not hmac.compare_digest(str(anchor.get("seal", "")), _seal(fields)):
            return AnchorProblem(anchor.get("event_id"), "an anchor was altered")
        event = AuditEvent.objects.filter(id=anchor["event_id"]).values("hash").first()
        if event is None or event["hash"] != anchor["hash"] or head is None:
            return AnchorProblem(
                anchor["event_id"],
                f"the trail no longer matches the head anchored on {anchor['at']}: it was "
                "rewritten or cut",
            )
        if head.count < anchor["count"]:
            return AnchorProblem(
                anchor["event_id"], f"events anchored on {anchor['at']} were removed"
            )
    return None
