"""knowledge.regions: another province's policy is out of scope; a company or a trip from/to
another place is not."""

from __future__ import annotations

import pytest

from knowledge.regions import foreign_region


@pytest.mark.parametrize(
    ("question", "region"),
    [
        ("江苏省专精特新有什么补贴", "江苏"),
        ("河北省中小企业发展基金怎么投", "河北"),
        ("深圳高新技术企业奖励", "深圳"),
        ("浙江那边的数字化改造券怎么领", "浙江"),
        ("內蒙古的技改補貼", "内蒙古"),  # traditional characters are normalised first
        ("上海市、江苏省的技改补贴", "上海"),
    ],
)
def test_another_places_policy_names_that_place(question: str, region: str) -> None:
    assert foreign_region(question) == region


@pytest.mark.parametrize(
    "question",
    [
        "技改有什么补贴",
        "安徽和江苏的专精特新有什么区别",  # names Anhui: about Anhui
        "省里组织老板们去上海学习吗",
        "去上海、江苏、浙江学习的培训班",  # a trip, and a list of places
        "老板想去浙江那边的企业学学经验",
        "想把生产基地从广东搬过来",
        "我们是上海的企业，想来投资",
        "广东客户欠款不还怎么办",
        "",
    ],
)
def test_anhui_a_trip_or_a_companys_origin_is_not_another_places_policy(question: str) -> None:
    assert foreign_region(question) is None
