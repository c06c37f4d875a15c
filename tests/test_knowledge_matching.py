"""Policy matching (政策找企业): profiles → ranked measures, each with its reason and citation."""

from __future__ import annotations

import re

import pytest

from knowledge.matching import match, match_card, match_text, read_profile
from knowledge.source_data import read_all

TEXTS = {m["number"]: m["text"] for document in read_all() for m in document.measures}


def numbers(profile: object, limit: int | None = None) -> list:
    return [m.number for m in match(profile, limit)]


def test_guarantee_institution_gets_the_guarantee_measure_first() -> None:
    (first, *_) = match({"role": "guarantee_institution"})
    assert first.number == 10 and first.key == "fiscal_funds_and_guarantee"
    assert first.citation == "第10条" and "1.2%" in first.reason and "1.5%" in first.reason


@pytest.mark.parametrize(
    ("profile", "expected_first"),
    [
        ({"plans": ["技改"]}, 6),
        ({"plans": ["technology_upgrade"]}, 6),
        ({"plans": ["数字化"]}, 7),
        ({"plans": ["挂牌上市"]}, 11),
        ({"plans": ["产学研"]}, 5),
        ({"plans": ["参赛"]}, 1),
        ({"plans": ["培训"]}, 14),
        ({"plans": ["开拓市场"]}, 4),
        ({"plans": ["融资"]}, 9),
        ({"qualifications": ["小巨人"]}, 8),
        ({"role": "service_platform"}, 2),
        ({"role": "incubation_base"}, 1),
        ({"industries": ["智能家电"]}, 3),
        ({"role": "entrepreneur", "ownership": "private", "honour_level": "province"}, 13),
    ],
)
def test_profiles_rank_their_measure_first(profile: dict, expected_first: int) -> None:
    assert numbers(profile)[0] == expected_first


def test_specialized_sme_planning_upgrade_and_financing() -> None:
    found = numbers({"role": "enterprise", "qualifications": ["省级专精特新"], "plans": ["技改", "融资"]})
    assert {6, 9, 10, 11, 8} <= set(found[:6])
    assert found.index(9) < found.index(2)


def test_free_text_profile() -> None:
    found = numbers("我们是做机器人的专精特新企业，想挂牌上市，也想做数字化")
    assert found[0] == 11 and {7, 3, 10} <= set(found)


def test_state_owned_enterprise_is_not_offered_the_card() -> None:
    assert 13 not in numbers({"role": "entrepreneur", "ownership": "state", "honour_level": "province"})
    assert 13 in numbers({"role": "entrepreneur", "ownership": "private", "honour_level": "province"})


def test_city_honour_does_not_point_to_the_card() -> None:
    assert 13 not in numbers({"role": "enterprise", "ownership": "private", "honour_level": "city"})


def test_scores_are_ranked_and_reasons_cite_their_measure() -> None:
    found = match({"qualifications": ["专精特新"], "plans": ["技改", "数字化", "融资", "培训"], "industries": ["软件"]})
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    for item in found:
        assert item.citation == f"第{item.number}条" and item.reason and not item.reason.startswith("第")
        assert item.reason == "；".join(item.reasons)


def test_reasons_state_only_numbers_of_their_measure() -> None:
    profile = {
        "role": "guarantee_institution",
        "qualifications": ["专精特新", "小巨人", "冠军", "高成长", "小微"],
        "plans": [
            "技改",
            "数字化",
            "融资",
            "挂牌",
            "产学研",
            "参赛",
            "培训",
            "开拓市场",
            "设计",
            "招商",
            "创业",
            "减负",
        ],
        "industries": ["机器人", "智能家电", "人工智能", "新材料", "软件"],
    }
    for item in match(profile):
        for number in re.findall(r"\d+(?:\.\d+)?", item.reason):
            assert number in TEXTS[item.number], f"第{item.number}条 reason states {number}"


def test_unrecognised_values_are_reported_and_ignored() -> None:
    profile = read_profile({"plans": ["xyz", "技改"], "colour": "blue"})
    assert profile.plans == {"technology_upgrade"}
    assert profile.unrecognised == ["plans=xyz", "colour=blue"]


def test_slot_names_work_as_profile_fields() -> None:
    profile = read_profile({"applicant_role": "担保公司", "borrower_qualification": "provincial_specialized_sme"})
    assert profile.role == "guarantee_institution" and profile.qualifications == {"provincial_specialized_sme"}


def test_limit_and_text_and_card() -> None:
    found = match({"plans": ["技改", "融资"]}, limit=2)
    assert len(found) == 2
    text = match_text(found)
    assert f"第{found[0].number}条" in text and f"第{found[1].number}条" in text
    card = match_card(found).to_dict()
    assert card["kind"] == "match" and card["citations"] == [m.number for m in found]


def test_empty_profile_still_suggests_the_general_services() -> None:
    assert numbers({}) == [2, 18]
    with pytest.raises(ValueError):
        match_text([])
