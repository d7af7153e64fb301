"""What goes into the search document and how a search is read (tickets/textindex.py): no database."""

import re

import pytest

from tickets import textindex


def lexemes(content="", address=""):
    return textindex.document_lexemes(content=content, address=address)


def test_jieba_words_of_the_content_are_indexed_with_weight_b():
    words = lexemes(content="夜间噪音扰民")
    assert {"夜间", "噪音", "扰民"} <= set(words)
    assert all(weight == "B" for _position, weight in words["噪音"] if _position < textindex.BIGRAM_BASE)


def test_噪音_is_a_word_of_both_噪音扰民_and_夜间噪音():
    assert "噪音" in lexemes(content="噪音扰民")
    assert "噪音" in lexemes(content="夜间噪音")


def test_address_words_weigh_a_and_search_mode_adds_the_parts_of_long_words():
    words = lexemes(address="城关镇幸福小区7栋")
    assert {"城关", "关镇", "城关镇", "幸福", "小区"} <= set(words)
    assert ("A" in {w for _p, w in words["幸福"]}) and ("C" in {w for _p, w in words["幸福"]})


def test_bigrams_sit_at_consecutive_positions_and_never_span_punctuation():
    words = lexemes(content="噪音，扰民")
    assert words["噪音"][-1][0] + 1 != words["扰民"][-1][0]
    assert "音扰" not in words
    positions = lexemes(address="幸福小区")
    assert positions["福小"][-1][0] == positions["幸福"][-1][0] + 1


def test_full_width_and_capitals_are_folded():
    assert "gd2026" in lexemes(content="ＧＤ２０２６")


def test_a_vector_literal_quotes_lexemes_and_lists_positions_with_weights():
    vector = textindex.document_vector(content="噪音", address="")
    assert re.fullmatch(r"'噪音':\d+B,\d+D", vector)


def test_a_long_content_keeps_every_position_in_range():
    vector = textindex.document_vector(content="噪音扰民" * 2000, address="幸福小区" * 50)
    positions = [int(p[:-1]) for p in re.findall(r"\d+[A-D]", vector)]
    assert max(positions) <= textindex.MAX_POSITION


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("噪音", "( '噪音' )"),
        ("幸福小区", "( ( '幸福' & '小区' ) | ( '幸福' <-> '福小' <-> '小区' ) )"),
        ("王", "'王':*"),
        ("人民路 夜市", "( ( '人民' & '路' ) | ( '人民' <-> '民路' ) ) & ( '夜市' )"),
    ],
)
def test_a_query_is_words_or_a_phrase_of_bigrams_for_each_part(q, expected):
    assert textindex.text_query(q) == expected


def test_function_words_typed_in_a_search_are_not_required():
    assert "'的'" not in textindex.text_query("小区的噪音").split("|")[0]


def test_a_query_of_punctuation_alone_searches_nothing():
    assert textindex.text_query("%' -- ;") is None


def test_quotes_and_backslashes_cannot_break_out_of_a_lexeme():
    assert textindex._quote("a'b\\c") == "'a''b\\\\c'"


@pytest.mark.parametrize(
    ("q", "number"),
    [
        ("GD202611220001", True),
        ("13812345678", True),
        ("5678", True),
        ("138 1234 5678", True),
        ("SD12345-20261122-00017", True),
        ("12", False),
        ("噪音", False),
        ("幸福小区3号楼", False),
        ("ｇｄ２０２６", True),
    ],
)
def test_what_looks_like_a_number(q, number):
    assert textindex.looks_like_number(q) is number


@pytest.mark.parametrize(
    ("address", "place"),
    [
        ("城关街道幸福小区3号楼", "幸福小区"),
        ("幸福小区12号楼", "幸福小区"),
        ("人民路88号", "人民路"),
        ("城关镇翠微苑5栋", "翠微苑"),
        ("北京市朝阳区建国路88号", "建国路"),
        ("马村镇东关村5号", "东关村"),
        ("南湖社区8号", "南湖社区"),
        ("锦绣花园东门", "锦绣花园"),
        ("马村5号", None),
        ("农贸市场东门", None),
        ("", None),
    ],
)
def test_the_community_or_road_of_an_address(address, place):
    assert textindex.place_of(address) == place


def test_content_words_are_read_back_from_a_stored_vector():
    vector = textindex.document_vector(content="夜市噪音大", address="人民路88号")
    assert textindex.content_words_of_vector(vector) == textindex.content_words("夜市噪音大")
    # As PostgreSQL prints it: weight D has no letter.
    assert textindex.content_words_of_vector("'噪音':3B,8195 '人民':1A") == {"噪音"}


def test_word_similarity_is_dice_of_the_word_sets():
    a = textindex.content_words("人民路夜市摊位占道经营，噪音大。")
    assert textindex.word_similarity(a, a) == 1.0
    assert textindex.word_similarity(a, textindex.content_words("咨询护照办理需要多长时间")) == 0.0
    assert 0.3 < textindex.word_similarity(a, textindex.content_words("人民路夜市吵闹，晚上睡不着。")) < 0.5
