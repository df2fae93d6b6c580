"""The plain-text view of an Answer (what `citebot ask` prints), on real answers from the default corpus."""

from __future__ import annotations

from bot import render_discord
from bot.render_text import render_answer
from retrieval.engine import Engine


def test_disagreement_is_said_first_with_both_quotes_side_by_side(default_engine: Engine) -> None:
    """Right after the question: the disagreement line, then each conflicting quote with its number."""
    answer = default_engine.ask("Is Ballerina based on a true story?")
    text = render_answer(answer)
    body = text.split("\n", 2)[2]
    assert body.startswith("THE SOURCES DISAGREE.")
    conflict = answer.conflicts[0]
    numbers = {source.id: n for n, source in enumerate(answer.sources, start=1)}
    disagreement_block = body.split("\n\n")[0]
    for source_id in conflict.sources:
        assert f"[{numbers[source_id]}] >" in disagreement_block
    assert "Stance: supports the claim" in text and "Stance: refutes the claim" in text


def test_agreeing_sources_get_no_disagreement_line(default_engine: Engine) -> None:
    """Both articles name Choi Pro's actor alike: two blocks, no disagreement line."""
    text = render_answer(default_engine.ask("Who plays Choi Pro?"))
    assert "DISAGREE" not in text and "[2]" in text


def test_a_question_one_source_covers_says_so_in_every_view(default_engine: Engine) -> None:
    """Text, JSON and Discord all tell the user that only one source covers it."""
    answer = default_engine.ask("Who composed the soundtrack of Ballerina?")
    assert len(answer.sources) == 1
    assert "Only one source in the corpus covers this." in render_answer(answer)
    assert answer.to_dict()["single_source"] is True
    first = render_discord.render_answer(answer)[0]
    assert "Only one source in the corpus covers" in first.content


def test_no_answer_lists_nothing(default_engine: Engine) -> None:
    """A question no source covers prints one honest line and no source block."""
    text = render_answer(default_engine.ask("What is the capital of France?"))
    assert "No source in the corpus covers this." in text and "[1]" not in text


def test_each_quote_carries_its_offsets(default_engine: Engine) -> None:
    """Every quote printed is followed by the character offsets it was cut from."""
    answer = default_engine.ask("Is Ballerina based on a true story?")
    text = render_answer(answer)
    for source in answer.sources:
        for quote in source.quotes:
            assert f"(characters {quote.start}–{quote.end})" in text


def test_open_question_has_no_claim_line_and_no_tally_in_either_view(default_engine: Engine) -> None:
    """An open question asserts nothing: neither view prints a claim line, a stance tally or a stance."""
    answer = default_engine.ask("Who plays Choi Pro?")
    assert answer.claim_kind == "open" and "tally" not in answer.to_dict()
    text = render_answer(answer)
    discord_text = "\n".join(message.content for message in render_discord.render_answer(answer))
    for shown in (text, discord_text):
        assert "claim:" not in shown and "only mention" not in shown and "Stance" not in shown


def test_tally_is_the_same_line_in_every_view(default_engine: Engine) -> None:
    """The tally: counted once in the Answer (JSON `tally`), worded the same in text and on Discord."""
    answer = default_engine.ask("Is Ballerina based on a true story?")
    stances = [source.stance for source in answer.sources]
    assert answer.to_dict()["tally"] == {
        stance: stances.count(stance) for stance in ("supports", "refutes", "discusses") if stance in stances
    }
    line = "1 source supports · 1 refutes"
    assert stances.count("supports") == 1 and stances.count("refutes") == 1
    text_lines = render_answer(answer).splitlines()
    assert text_lines[2] == "THE SOURCES DISAGREE." and text_lines[3] == line
    opening = render_discord.render_answer(answer)[0].content.splitlines()
    assert opening[0].startswith("⚠️ **The sources disagree**") and opening[1] == line


def test_claim_line_is_worded_the_same_in_every_view(default_engine: Engine) -> None:
    """A yes/no question is judged as a statement: both views name it with the same words."""
    answer = default_engine.ask("Is Ballerina based on a true story?")
    assert answer.claim == "Ballerina is based on a true story"
    assert "Stances are judged against the claim: Ballerina is based on a true story" in render_answer(answer)
    first = render_discord.render_answer(answer)[0].content
    assert "*Stances are judged against the claim:* \u2068Ballerina is based on a true story\u2069" in first
