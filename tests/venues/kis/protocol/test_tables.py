"""TR table, message codes, envelopes and control messages: one test per rule."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jts.venues.kis.protocol import (
    CODES,
    OPSP,
    ORDER_DIVISIONS,
    TRS,
    ControlError,
    Env,
    PingPong,
    Tr,
    UnknownTr,
    control_reply,
    error_body,
    lookup_tr,
    ok_body,
    order_ok,
    paper_tr_id,
    parse_control,
    parse_envelope,
    parse_subscribe,
    pingpong_message,
    subscribe_message,
    token_error_body,
    tr_id,
)


@pytest.mark.parametrize(
    ("real", "paper"),
    [
        ("TTTC0012U", "VTTC0012U"),
        ("CTSC9215R", "VTSC9215R"),
        ("JTCE5005R", "VTCE5005R"),
        ("FHKST01010100", "FHKST01010100"),
    ],
)
def test_paper_rule_replaces_t_j_c_with_v(real: str, paper: str) -> None:
    assert paper_tr_id(real) == paper


def test_every_tr_resolves_back_to_itself_in_each_env() -> None:
    for spec in TRS.values():
        for env in Env:
            found = spec.id_for(env)
            if found is not None:
                assert lookup_tr(found, env) is spec


def test_past_minute_bars_have_no_paper_version() -> None:
    with pytest.raises(UnknownTr) as caught:
        tr_id(Tr.MINUTE_CHART_PAST, Env.PAPER)
    assert caught.value.env_mismatch
    with pytest.raises(UnknownTr) as again:
        lookup_tr("FHKST03010230", Env.PAPER)
    assert again.value.env_mismatch


def test_v_ids_are_not_real_trs_and_real_ids_not_paper() -> None:
    with pytest.raises(UnknownTr) as real:
        lookup_tr("VTTC0012U", Env.REAL)
    assert real.value.env_mismatch
    with pytest.raises(UnknownTr) as paper:
        lookup_tr("TTTC0012U", Env.PAPER)
    assert paper.value.env_mismatch
    with pytest.raises(UnknownTr) as unknown:
        lookup_tr("XXXX0000R", Env.REAL)
    assert not unknown.value.env_mismatch


def test_deprecated_ids_still_resolve() -> None:
    assert lookup_tr("TTTC8001R", Env.REAL).name is Tr.DAILY_CCLD
    assert lookup_tr("VTTC0802U", Env.PAPER).name is Tr.ORDER_BUY


def test_order_success_codes_by_env() -> None:
    assert order_ok(Env.REAL, "buy").code == "APBK0013"
    assert order_ok(Env.PAPER, "buy").code == "40600000"
    assert order_ok(Env.PAPER, "sell").code == "40590000"
    assert order_ok(Env.PAPER, "modify").code == "40620000"
    assert order_ok(Env.PAPER, "cancel").code == "40630000"


def test_gateway_errors_are_http_500_and_token_errors_403() -> None:
    for code in ("EGW00121", "EGW00123", "EGW00201", "EGW02006"):
        assert CODES[code].http == 500
    for code in ("EGW00103", "EGW00105", "EGW00133"):
        assert CODES[code].http == 403
    assert token_error_body("EGW00133") == {
        "error_code": "EGW00133",
        "error_description": CODES["EGW00133"].msg1,
    }


def test_opsp_session_conflict_has_rt_cd_9() -> None:
    assert OPSP["OPSP8996"].rt_cd == "9"
    assert OPSP["OPSP0008"].rt_cd == "1"
    assert OPSP["OPSP0000"].rt_cd == "0"


def test_order_divisions_cover_the_jts_types() -> None:
    assert ORDER_DIVISIONS["00"].price
    assert not ORDER_DIVISIONS["01"].price
    assert ORDER_DIVISIONS["11"].tif.value == "ioc"
    assert ORDER_DIVISIONS["14"].tif.value == "fok"
    assert "22" not in ORDER_DIVISIONS


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=8),
        st.one_of(st.integers(), st.text(max_size=8), st.none()),
        max_size=5,
    )
)
def test_envelope_values_are_all_strings(output: dict[str, object]) -> None:
    body = ok_body(CODES["MCA00000"], output=output)
    assert all(isinstance(v, str) for v in body["output"].values())
    parsed = parse_envelope(json.dumps(body))
    assert parsed.ok
    assert parsed.msg_cd == "MCA00000"


def test_padded_msg1_is_stripped_on_parse() -> None:
    body = ok_body(CODES["KIOK0510"], output=[], pad_msg1=40)
    assert body["msg1"].endswith(" ")
    assert parse_envelope(json.dumps(body)).msg1 == CODES["KIOK0510"].msg1


def test_error_envelope_is_not_ok() -> None:
    parsed = parse_envelope(json.dumps(error_body("EGW00201")))
    assert not parsed.ok
    assert parsed.msg_cd == "EGW00201"


def test_subscribe_message_parses_back() -> None:
    text = subscribe_message("KEY", "H0STCNT0", "005930", register=False)
    request = parse_subscribe(text)
    assert (request.approval_key, request.tr_id, request.tr_key) == ("KEY", "H0STCNT0", "005930")
    assert not request.register


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("not json", "OPSP9999"),
        ('{"body":{"input":{"tr_id":"H0STCNT0","tr_key":"1"}}}', "OPSP9994"),
        ('{"header":{"approval_key":"k","tr_type":"1"}}', "OPSP9992"),
        ('{"header":{"approval_key":"k","tr_type":"1"},"body":{}}', "OPSP9991"),
        ('{"header":{"approval_key":"k","tr_type":"3"},'
         '"body":{"input":{"tr_id":"H0STCNT0","tr_key":"1"}}}', "OPSP8997"),
        ('{"header":{"approval_key":"k","tr_type":"1","custtype":"X"},'
         '"body":{"input":{"tr_id":"H0STCNT0","tr_key":"1"}}}', "OPSP8998"),
    ],
)  # fmt: skip
def test_malformed_subscribes_name_their_opsp_code(text: str, code: str) -> None:
    with pytest.raises(ControlError) as caught:
        parse_subscribe(text)
    assert caught.value.code == code


def test_control_reply_carries_key_and_iv() -> None:
    text = control_reply(
        "OPSP0000", tr_id="H0STCNI0", tr_key="hts", encrypt=True, key_iv=("k" * 32, "i" * 16)
    )
    reply = parse_control(text)
    assert not isinstance(reply, PingPong)
    assert reply.ok
    assert reply.encrypt == "Y"
    assert (reply.key, reply.iv) == ("k" * 32, "i" * 16)


def test_pingpong_is_recognised_and_kept_verbatim() -> None:
    text = pingpong_message("20261127093000")
    found = parse_control(text)
    assert found == PingPong("20261127093000", text)
