"""``workbench serve`` without a browser: roles and tokens, Host check, token-free request info, the
legacy-protocol hazard, participant codes, join lockout and quotas (issue 10 items 1, 2, 4, 10)."""

from __future__ import annotations

import math
import os
import stat
from pathlib import Path

import nbformat
import numpy as np
import pytest
from jupyter_server.services.kernels.connection.base import (
    deserialize_msg_from_ws_v1,
    serialize_binary_message,
)
from support.probe import KERNEL_PROTOCOL, decode_v1, encode_v1

from workbench import capture
from workbench.config import load_defaults
from workbench.demo import foresight as demo
from workbench.errors import ValidationError
from workbench.foresight import access
from workbench.foresight.state import hash_code, publish_state
from workbench.kb import writer
from workbench.serving import ServeOptions, voila_command
from workbench.serving.roles import (
    FACILITATOR,
    GROUP,
    PARTICIPANT,
    RoleConfig,
    load_or_create_tokens,
    may_open,
    scrub_query,
    token_hash,
)
from workbench.serving.websocket import requested_subprotocols

# -- roles ------------------------------------------------------------------------------------------


def test_page_rules_deny_by_default_and_facilitator_opens_everything() -> None:
    pages = load_defaults("serving")["pages"]
    assert may_open(PARTICIPANT, "/voila/render/foresight_participant.ipynb", pages)
    assert not may_open(PARTICIPANT, "foresight_facilitator.ipynb", pages)
    assert not may_open(GROUP, "foresight_facilitator", pages)
    assert may_open(GROUP, "barriers.ipynb", pages) and not may_open(PARTICIPANT, "barriers", pages)
    assert may_open(FACILITATOR, "foresight_facilitator.ipynb", pages)
    # a dashboard nobody listed (or a kernel of no known page) is the facilitator's only
    assert not may_open(PARTICIPANT, "new_dashboard.ipynb", pages)
    assert not may_open(GROUP, "", pages) and may_open(FACILITATOR, "", pages)
    assert not may_open(None, "foresight_participant", pages)
    # every dashboard in the folder has a rule (a new one would silently be facilitator-only)
    folder = Path(__file__).resolve().parents[1] / "notebooks" / "dashboards"
    assert {p.stem for p in folder.glob("*.ipynb")} <= set(pages)


def test_tokens_are_kept_private_distinct_and_long(tmp_path: Path) -> None:
    path = tmp_path / ".serve" / "tokens.json"
    first = load_or_create_tokens(path, {})
    assert set(first) == {PARTICIPANT, GROUP, FACILITATOR}
    assert len(set(first.values())) == 3 and all(len(t) >= 16 for t in first.values())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # only the facilitator's account reads it
    assert load_or_create_tokens(path, {}) == first  # the facilitator's link survives a restart
    given = load_or_create_tokens(path, {PARTICIPANT: "p" * 20})
    assert given[PARTICIPANT] == "p" * 20 and given[FACILITATOR] == first[FACILITATOR]
    with pytest.raises(ValidationError, match="at least 16"):
        load_or_create_tokens(path, {FACILITATOR: "short"})
    with pytest.raises(ValidationError, match="different"):
        load_or_create_tokens(path, {FACILITATOR: "x" * 20, GROUP: "x" * 20})
    config = RoleConfig(token_hashes={r: token_hash(t) for r, t in first.items()})
    assert config.role_of_token(first[FACILITATOR]) == FACILITATOR
    assert config.role_of_token(first[PARTICIPANT]) == PARTICIPANT
    assert (
        config.role_of_token(first[FACILITATOR][:-1]) is None and config.role_of_token("") is None
    )


def test_voila_never_sees_tokens_on_its_command_line() -> None:
    opts = ServeOptions(token="participant-token-123", facilitator_token="facilitator-token-456")
    cmd = " ".join(voila_command(opts))
    assert "workbench.serving.app" in cmd
    assert "participant-token-123" not in cmd and "facilitator-token-456" not in cmd
    with pytest.raises(ValidationError, match="--facilitator-token must have at least 16"):
        ServeOptions(facilitator_token="short").check()


def test_pages_wait_for_slow_kernel_starts() -> None:
    """Voila's executor gives a kernel 60 s to answer; when 40 participants open their links at
    once on 2 cores, a later kernel needs longer and its page ended after the header, blank and
    without a kernel (CI, 2026-12-01). The option must reach Voila's executor through the config."""
    from voila.execute import VoilaExecutor

    from workbench.serving.app import WorkbenchVoila

    opts = ServeOptions()
    app = WorkbenchVoila()
    app.parse_command_line(voila_command(opts)[3:])  # after `python -m workbench.serving.app`
    executor = VoilaExecutor(nbformat.v4.new_notebook(), config=app.config)
    assert executor.startup_timeout == opts.kernel_start_timeout_s > 60


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1:8866", True),
        ("localhost:8866", True),
        ("LOCALHOST", True),
        ("[::1]:8866", True),
        ("127.0.0.2", True),
        ("workshop.example:8866", True),  # given with --allowed-host
        ("attacker.example:8866", False),  # DNS rebinding: a name that points at 127.0.0.1
        ("127.0.0.1.attacker.example", False),
        ("192.0.2.7:8866", False),
        ("", False),
        ("a b", False),
    ],
)
def test_host_header_check(host: str, allowed: bool) -> None:
    config = RoleConfig(allowed_hosts=["workshop.example"])
    assert config.host_allowed(host) is allowed


def test_any_ip_literal_is_a_valid_host_when_bound_to_all_addresses() -> None:
    config = RoleConfig(any_ip_host=True)
    assert config.host_allowed("192.0.2.7:8866") and not config.host_allowed("evil.example")


def test_request_info_loses_only_the_token() -> None:
    assert scrub_query("token=secret&region=HR03&x=") == "region=HR03&x="
    assert "secret" not in scrub_query("a=1&token=secret&token=again")


# -- the legacy-protocol hazard (item 2) -----------------------------------------------------------


def test_legacy_framing_read_as_v1_gives_an_absurd_count() -> None:
    """Why legacy clients are refused: Voila 0.5.13 reads every binary message it sends with the v1
    rule (little-endian uint64 count at the start).  A legacy frame with one buffer starts with the
    big-endian uint32 count 2 and offset 12, which that rule reads as 0x0C00000002000000 entries:
    the list comprehension Voila then builds never ends (100 % CPU, memory growing)."""
    legacy = serialize_binary_message(
        {"header": {}, "parent_header": {}, "metadata": {}, "content": {}, "buffers": [b"x" * 64]}
    )
    misread = int.from_bytes(legacy[:8], "little")
    assert misread > 10**17  # Voila would loop that many times
    # the probe's v1 frames are read back exactly by Jupyter Server's own decoder
    parts = [b'{"msg_type": "comm_msg"}', b"{}", b"{}", b'{"a": 1}', b"buffer"]
    channel, msg_list = deserialize_msg_from_ws_v1(encode_v1("shell", parts))
    assert channel == "shell" and msg_list == parts
    assert int.from_bytes(encode_v1("shell", parts)[:8], "little") == len(parts) + 2
    assert decode_v1(encode_v1("iopub", parts))["content"] == {"a": 1}
    assert requested_subprotocols(f" {KERNEL_PROTOCOL}, other") == [KERNEL_PROTOCOL, "other"]
    assert requested_subprotocols(None) == []


# -- participant codes, joining, quotas (item 4) ---------------------------------------------------


def test_codes_are_long_unambiguous_and_reproducible() -> None:
    rules = access.settings()["codes"]
    codes = access.new_codes(200)
    assert len(set(codes)) == 200
    for code in codes:
        letters = code.replace("-", "")
        assert len(letters) == rules["length"] and set(letters) <= set(rules["alphabet"])
    assert not set("01OIL") & set(rules["alphabet"])  # nothing to confuse when reading a card
    assert access.new_codes(5, np.random.default_rng(1)) == access.new_codes(
        5, np.random.default_rng(1)
    )
    # guessing: chance that one random guess hits one of 60 valid codes
    space = len(rules["alphabet"]) ** rules["length"]
    assert 60 / space < 1e-12
    assert math.log2(space) > 45
    assert access.weak_codes(["ABCD-12", codes[0], "k7qm4-zt9xh"]) == ["ABCD-12"]
    # case-insensitive: a code typed in lower case is the same participant
    assert hash_code("x", codes[0].lower()) == hash_code("x", codes[0])


def test_demo_codes_are_strong_and_weak_codes_are_not_published(tmp_db: Path) -> None:
    codes = demo.build_foresight_only(tmp_db)
    assert access.weak_codes(codes) == [] and len(codes) == 60
    with writer(tmp_db, purpose="test") as con:
        con.execute(
            "INSERT INTO foresight_participants (exercise_id, participant_code, created_at) "
            "VALUES (?, 'AB-12', now())",
            [demo.EXERCISE_ID],
        )
    before = capture.last_seq(tmp_db)
    with pytest.raises(ValidationError, match=r"1 of 61 participant codes .* 'AB-12'"):
        publish_state(demo.EXERCISE_ID, db=tmp_db)
    assert capture.last_seq(tmp_db) == before  # nothing published


def test_join_guard_pauses_a_page_and_limits_the_server(tmp_db: Path) -> None:
    rules = access.settings()["join"]
    now = [1000.0]
    page = access.JoinGuard("ex", db=tmp_db, clock=lambda: now[0])
    for i in range(rules["max_failures"] - 1):
        assert page.refusal() is None
        assert f"{rules['max_failures'] - 1 - i} tries left" in page.failed()
    assert f"pauses for {rules['lockout_s']} seconds" in page.failed()
    assert "wait" in (page.refusal() or "")
    now[0] += rules["lockout_s"] + 1
    assert page.refusal() is None
    for _ in range(rules["max_failures"]):
        message = page.failed()
    assert f"pauses for {2 * rules['lockout_s']} seconds" in message  # doubles
    # server-wide: other pages (a reloading attacker) share the per-minute limit
    now[0] += 10_000
    for k in range(rules["global_failures_per_minute"]):
        other = access.JoinGuard("ex", db=tmp_db, clock=lambda: now[0])
        assert other.refusal() is None, k
        other.failed()
    fresh = access.JoinGuard("ex", db=tmp_db, clock=lambda: now[0])
    assert "on this server in the last minute" in (fresh.refusal() or "")
    now[0] += 61
    assert fresh.refusal() is None


def test_driver_proposals_have_a_quota_per_participant(tmp_db: Path) -> None:
    codes = demo.build_foresight_only(tmp_db)
    quota = access.settings()["quotas"]["drivers_per_participant"]

    def propose(code: str, i: int) -> None:
        capture.submit(
            "foresight.driver",
            {
                "exercise_id": demo.EXERCISE_ID,
                "participant_code": code,
                "label": f"driver {i}",
                "steep": "economic",
            },
            client_id="t",
            idempotency_key=f"{code}-{i}",
            db=tmp_db,
        )

    for i in range(quota):
        propose(codes[50], i)
    with pytest.raises(ValidationError, match=f"proposed {quota} drivers"):
        propose(codes[50], quota)
    propose(codes[51], 0)  # another participant is not affected
    rows = capture.read("foresight.driver", where={"participant_code": codes[50]}, db=tmp_db)
    assert len(rows) == quota


def test_submissions_per_minute_are_limited(tmp_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    codes = demo.build_foresight_only(tmp_db)
    rules = access.settings()
    rules["quotas"] = {"drivers_per_participant": 99, "submissions_per_minute": 3}
    monkeypatch.setattr(access, "settings", lambda: rules)
    answer = {
        "exercise_id": demo.EXERCISE_ID,
        "participant_code": codes[40],
        "round_no": 2,
        "statement_id": "S1",
        "comment": "x" * 2000,
    }
    for i in range(3):
        capture.submit(
            "foresight.answer",
            {**answer, "value": 1 + i},
            client_id="t",
            idempotency_key=f"a{i}",
            db=tmp_db,
        )
    with pytest.raises(ValidationError, match="more than 3 submissions in one minute"):
        capture.submit(
            "foresight.answer",
            {**answer, "value": 5},
            client_id="t",
            idempotency_key="a9",
            db=tmp_db,
        )


def test_join_failures_file_lives_beside_the_knowledge_base(tmp_db: Path) -> None:
    access.JoinGuard("ex", db=tmp_db).failed()
    assert (tmp_db.parent / (tmp_db.name + ".joins.sqlite")).exists()
    assert not os.path.exists(tmp_db)  # nothing written into the knowledge base itself
