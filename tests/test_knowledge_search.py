"""Search: ranked measures for what users type, with the policy vocabulary kept whole."""

from __future__ import annotations

import pytest

from knowledge.search import SearchIndex, search, segment, tokens
from knowledge.source_data import read_all


@pytest.mark.parametrize(
    ("query", "number"),
    [
        ("技改有什么补贴", 6),
        ("技术改造设备补助", 6),
        ("徽商卡有什么用", 13),
        ("职称评审绿色通道", 13),
        ("首台套怎么申报", 4),
        ("三首产品目录", 4),
        ("担保费补贴", 10),
        ("担保公司费率补贴", 10),
        ("专精特新贷", 9),
        ("信用贷", 9),
        ("工业互联网平台", 7),
        ("皖企登云", 7),
        ("小巨人企业", 8),
        ("挂牌上市", 11),
        ("创客中国比赛", 1),
        ("皖企服务云", 2),
        ("企业家培训", 14),
        ("体悟实训", 14),
        ("拖欠账款", 19),
        ("乱收费", 19),
        ("服务月", 18),
        ("站台", 17),
        ("百名干部进千企", 16),
        ("产学研合作", 5),
        ("揭榜挂帅", 5),
        ("世界制造业大会", 3),
        ("省民营办", 20),
        ("战略咨询委员会", 22),
    ],
)
def test_the_measure_a_user_means_ranks_first(query: str, number: int) -> None:
    hits = search(query)
    assert hits, f"no hit for {query}"
    assert hits[0].number == number, [(h.number, h.score) for h in hits]


def test_hits_are_ranked_and_limited() -> None:
    hits = search("融资 贷款 担保", limit=5)
    assert 1 < len(hits) <= 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert {h.number for h in hits} >= {9, 10}
    assert all(h.key and h.title and h.document == "wanjingxin_2021" for h in hits)


@pytest.mark.parametrize("query", ["", "   ", "？？？", "你好", "今天天气怎么样", "asdfgh"])
def test_nothing_relevant_gives_no_hits(query: str) -> None:
    assert search(query) == []


def test_policy_terms_stay_whole() -> None:
    words = segment("徽商服务卡和专精特新贷还有皖企登云")
    assert {"徽商服务卡", "专精特新贷", "皖企登云"} <= set(words)


def test_stopwords_are_dropped_and_text_is_normalised() -> None:
    assert tokens("请问技改有什么补贴吗？") == ["技改", "补贴"]
    assert tokens("徽商卡") == tokens("徽商卡")
    assert search("徽商服务卡")[0].number == search("徽商服務卡")[0].number == 13  # traditional characters


def test_spacy_blank_zh_with_jieba_gives_the_same_words_as_jieba() -> None:
    samples = [m["text"] for document in read_all() for m in document.measures][:6]
    samples += ["徽商服务卡有什么用", "我们是担保公司，费率1.2%"]
    for sample in samples:
        assert segment(sample, "spacy") == segment(sample, "jieba")


def test_index_ranks_identically_with_the_spacy_analyser() -> None:
    documents = list(read_all())
    spacy_index, jieba_index = SearchIndex(documents, "spacy"), SearchIndex(documents, "jieba")
    for query in ("技改补贴", "徽商卡", "担保费率"):
        assert spacy_index.search(query) == jieba_index.search(query)


def test_faq_answers_are_searched_when_present() -> None:
    (document,) = list(read_all())
    measure = next(m for m in document.measures if m["number"] == 22)
    measure["faqs"] = [{"question": "顾问怎么选", "answer": "遴选一批优秀民营企业家担任委员，咕噜咕噜"}]
    index = SearchIndex([document], "jieba")
    assert index.search("咕噜咕噜")[0].number == 22


def test_every_term_of_the_nlu_dictionary_is_one_search_word() -> None:
    from knowledge.vocabulary import policy_terms

    terms = policy_terms()
    assert len(terms) > 200
    split = [term for term in terms if segment(term) != [term]]
    assert split == []


def test_every_programme_name_and_alias_has_content_and_fillers_have_none() -> None:
    from knowledge.search import has_content
    from knowledge.source_data import alias_pairs, read_all

    names = [term for document in read_all() for measure in document.measures for term, _ in alias_pairs(measure)]
    assert len(names) > 50
    assert [name for name in names if not has_content(name)] == []
    assert [text for text in ("啊吧啊吧", "嗯嗯嗯", "？？？", "怎么申请呢", "好的好的") if has_content(text)] == []
    assert has_content("技改") and has_content("SaaS") and has_content("多少钱")
