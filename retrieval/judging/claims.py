"""A question → the claim whose truth the sources are judged on.

A yes/no question asks about a statement: "Is Ballerina based on a true story?" asks
whether "Ballerina is based on a true story". A statement is its own claim. An open
question ("Who plays Choi Pro?") asserts nothing, so no source can support or refute
it; it is kept as asked and marked open (its disagreements are different answers). So
are an either/or question ("Is Ballerina real or fake?"), a request ("Tell me about
Ballerina") and a verbless keyword query ("Ballerina true story"): none asserts one claim.
A negative question ("Isn't X …?", "Didn't X …?") asks about the positive claim; a
shouted question is read in lower case, since its capitals mark no names.

This is word-order surgery with small word lists, not parsing: the claim is shown to
the user and compared word by word with the sources, so it has to be readable and
keep the question's words, not be grammatically perfect in every case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

ClaimKind = Literal["yes_no", "statement", "open"]

# Auxiliaries that open a yes/no question, with the form used in the statement.
_COPULAS = {"is": "is", "are": "are", "was": "was", "were": "were", "isn't": "is", "aren't": "are"}
_COPULAS |= {"wasn't": "was", "weren't": "were"}
_DO = {"does": "does", "do": "do", "did": "did", "doesn't": "does", "don't": "do", "didn't": "did"}
_PERFECT = {"has": "has", "have": "have", "had": "had", "hasn't": "has", "haven't": "have", "hadn't": "had"}
_MODALS = {
    "can": "can",
    "could": "could",
    "will": "will",
    "would": "would",
    "should": "should",
    "may": "may",
    "might": "might",
    "must": "must",
    "can't": "can",
    "won't": "will",
}
_OPEN_WORDS = frozenset({"who", "whom", "whose", "what", "which", "when", "where", "why", "how", "whence"})
# A blank to fill in ("Oxygen was used at _____ of the normal pressure") asks, too.
_BLANK = re.compile(r"_{2,}")
# "Is it true that X?" / "Is it a fact that X" → X.
_TRUE_THAT = re.compile(
    r"^(?:is|was)\s+it\s+(?:really\s+|actually\s+)?(?:true|correct|a\s+fact|the\s+case|right)\s+that\s+",
    re.IGNORECASE,
)
_TAG = re.compile(r",?\s*(?:right|isn't it|is it not|true|correct|no)\s*\?*$", re.IGNORECASE)
_DETERMINERS = frozenset({"a", "an", "the", "this", "that", "these", "those", "his", "her", "its", "their"})
_SPLIT_ADVERBS = frozenset({"really", "actually", "still", "also", "ever", "truly", "not", "now", "already"})
# Prepositions that usually open a predicate ("on Netflix", "in Seoul"); "of" and "for"
# usually continue a noun phrase ("the director of Ballerina"), so they do not split.
_PREPOSITIONS = frozenset({"on", "in", "at", "about", "from", "into", "by", "with", "under", "over"})
_IRREGULAR_PARTICIPLES = frozenset(
    {
        "made",
        "set",
        "shot",
        "written",
        "done",
        "seen",
        "known",
        "born",
        "built",
        "told",
        "sold",
        "taken",
        "given",
        "found",
        "held",
        "run",
        "won",
        "lost",
        "left",
        "put",
        "cast",
        "hit",
        "bought",
        "brought",
        "thought",
        "kept",
        "paid",
    }
)
_ADJECTIVES = frozenset(
    {
        "real",
        "true",
        "false",
        "fake",
        "accurate",
        "good",
        "bad",
        "fictional",
        "dead",
        "alive",
        "married",
        "safe",
        "legal",
        "illegal",
        "available",
        "popular",
        "right",
        "wrong",
        "correct",
        "new",
        "old",
        "free",
        "banned",
        "violent",
    }
)
_ADJECTIVE_SUFFIXES = ("ful", "ous", "ive", "able", "ible", "ic", "less", "ical")
_PAST_IRREGULAR = {
    "be": "was",
    "have": "had",
    "do": "did",
    "go": "went",
    "make": "made",
    "take": "took",
    "give": "gave",
    "get": "got",
    "see": "saw",
    "come": "came",
    "say": "said",
    "tell": "told",
    "find": "found",
    "win": "won",
    "lose": "lost",
    "write": "wrote",
    "shoot": "shot",
    "leave": "left",
    "know": "knew",
    "think": "thought",
    "buy": "bought",
    "bring": "brought",
    "pay": "paid",
    "run": "ran",
    "begin": "began",
    "break": "broke",
    "choose": "chose",
    "draw": "drew",
    "eat": "ate",
    "fall": "fell",
    "feel": "felt",
    "fly": "flew",
    "grow": "grew",
    "hold": "held",
    "keep": "kept",
    "lead": "led",
    "meet": "met",
    "put": "put",
    "set": "set",
    "sell": "sold",
    "send": "sent",
    "sing": "sang",
    "speak": "spoke",
    "spend": "spent",
    "stand": "stood",
    "steal": "stole",
    "teach": "taught",
    "wear": "wore",
    "die": "died",
}
_TOKEN = re.compile(r"\S+")
# Verb forms that say a statement has a verb; "set", "cast", "shot" are as often nouns.
_NOUN_TOO = frozenset({"set", "shot", "put", "left", "cast", "hit", "run", "cut"})
_PAST_FORMS = (frozenset(_PAST_IRREGULAR.values()) | _IRREGULAR_PARTICIPLES) - _NOUN_TOO
_AUXILIARY_FORMS = frozenset({*_COPULAS, *_DO, *_PERFECT, *_MODALS, "be", "been", "am", "shall"})
_QUANTIFIERS = frozenset(
    {"some", "many", "most", "all", "both", "any", "no", "every", "each", "several", "few", "other", "such"}
    | {"two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "my", "our", "your"}
)
# Verbs (base form) that are rarely nouns: they tell the verb from a compound noun's head
# ("the Nth Room case inspire") and a statement from a keyword query.
_OBJECT_PRONOUNS = frozenset({"me", "you", "him", "her", "us", "them", "it"})
_KNOWN_VERBS = frozenset(
    {
        "inspire",
        "depict",
        "portray",
        "direct",
        "happen",
        "exist",
        "occur",
        "appear",
        "include",
        "involve",
        "contain",
        "feature",
        "mention",
        "describe",
        "explain",
        "reflect",
        "reveal",
        "receive",
        "earn",
        "deny",
        "confirm",
        "admit",
        "prove",
        "claim",
        "cause",
        "kill",
        "die",
        "live",
        "become",
        "remain",
        "seem",
        "eat",
        "drink",
        "watch",
        "use",
        "base",
        "adapt",
        "star",
        "release",
        "premiere",
        "win",
        "get",
        "make",
        "take",
        "give",
        "come",
        "go",
        "see",
        "say",
        "tell",
        "know",
        "think",
        "write",
        "show",
        "copy",
        "steal",
        "plagiarize",
        "plagiarise",
        "resemble",
        "borrow",
        "exaggerate",
        "invent",
    }
)
_NOUN_SUFFIXES = ("tion", "sion", "ment", "ness", "ity", "ence", "ance", "ship", "ism", "ist", "or", "er")
# Requests and topic queries assert nothing: "Tell me about Ballerina", "info on Ballerina".
_REQUEST = re.compile(
    r"^(?:please\s+)?(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?)?"
    r"(?:(?:tell|show|give|teach)\s+(?:me|us)\b|(?:info|information|details|facts|more|news|anything|something)"
    r"\s+(?:on|about|regarding)\b|(?:explain|describe|summari[sz]e|define|look\s+up|search\s+for)\b"
    r"|i\s+(?:want|would\s+like|'d\s+like)\s+to\s+know\b|(?:what|how)\s+about\b"
    r"|(?:name|list|identify)\s+(?:one|two|three|a|an|the|some|any|all|every)\b)",
    re.IGNORECASE,
)
# "Tell me whether X" / "I want to know if X" asks about X.
_WHETHER = re.compile(r"^(?:about\s+)?(?:whether|if)\s+", re.IGNORECASE)
_OR_NOT = re.compile(r",?\s+or\s+not$", re.IGNORECASE)
# Prepositions that can stand before a question word: "In which city …", "For how long …".
_LEADING_PREPOSITIONS = frozenset(
    {"in", "on", "at", "for", "to", "of", "by", "from", "with", "during", "since", "until", "till"}
    | {"after", "before", "under", "over", "about", "into", "through", "within", "among", "between"}
    | {"against", "towards", "toward", "up", "out", "via", "per", "according", "as", "upon", "near"}
)
# A phrase fronted before the question: "In Ballerina, is Ok-ju a bodyguard?" (a few words, one comma).
# A question ending on one of these leaves a blank for the answer: "The name of the game is?"
_BLANK_ENDINGS = frozenset(
    {*_COPULAS, *_DO, *_PERFECT, "the", "a", "an", "of", "by", "to", "called", "named", "as", "from"}
    | {"for", "with", "than", "regarding", "into", "towards", "toward"}
)


@dataclass(frozen=True)
class Claim:
    """What the sources are judged against.

    ``text`` is the claim as shown; ``kind`` says how it was read; ``wh_word`` is the
    question word of an open question ("who", "which", "how many", …), else None.
    """

    text: str
    kind: ClaimKind
    wh_word: str | None = None

    @property
    def is_open(self) -> bool:
        return self.kind == "open"


def _strip(question: str) -> str:
    return re.sub(r"\s+", " ", question).strip().rstrip("?!. ").strip()


def _is_participle(word: str) -> bool:
    lower = word.lower()
    return (
        (lower.endswith("ed") and len(lower) > 4)
        or (lower.endswith("ing") and len(lower) > 5)
        or lower in _IRREGULAR_PARTICIPLES
    )


def _is_adjective(word: str) -> bool:
    lower = word.lower().strip(",;:")
    return lower in _ADJECTIVES or (lower.endswith(_ADJECTIVE_SUFFIXES) and word[:1].islower())


def _predicate_start(words: list[str]) -> int:
    """Where the predicate starts in "<subject> <predicate>" (the words after the auxiliary)."""
    # The subject needs one content word: skip leading determiners and take that word.
    first = 0
    while first < len(words) - 1 and words[first].lower() in _DETERMINERS:
        first += 1
    for index in range(first + 1, len(words)):
        word = words[index]
        lower = word.lower()
        if word[:1].isupper() or word[:1].isdigit():
            continue  # names and numbers belong to the subject ("the 2023 film Ballerina")
        if lower in _PREPOSITIONS:
            # "the events in Ballerina real": a trailing adjective is the predicate;
            # otherwise the preposition opens it ("Ballerina on Netflix").
            return len(words) - 1 if _is_adjective(words[-1]) else index
        if lower in _SPLIT_ADVERBS or lower in _DETERMINERS or lower == "worth" or _is_participle(word):
            return index
    if len(words) > first + 1 and _is_adjective(words[-1]):
        return len(words) - 1
    return max(first + 1, len(words) - 1)


def _word(word: str) -> str:
    return word.lower().strip(",;:").replace("’", "'")


def _is_name(word: str) -> bool:
    return word[:1].isupper() or word[:1].isdigit()


def _is_plural_or_possessive(word: str) -> bool:
    """ "events", "film's", "fans'": a noun, so the subject goes on (a base-form verb is neither)."""
    lower = _word(word)
    if lower.endswith(("'s", "s'")):
        return True
    return lower.endswith("s") and not lower.endswith(("ss", "us", "is")) and len(lower) > 3


def _is_base_verb(word: str) -> bool:
    lower = _word(word)
    return lower in _KNOWN_VERBS or lower in _PAST_IRREGULAR


def _is_noun_like(word: str) -> bool:
    return _word(word).endswith(_NOUN_SUFFIXES)


def _subject_end_for_verb(words: list[str]) -> int:
    """Index of the main verb after "Does/Did/Can <subject>".

    The subject is a noun phrase: determiners and quantifiers ("the", "two"), adjectives
    ("real"), names and numbers ("the Nth Room", "2023"), plural or possessive nouns
    ("events", "the film's"), "of"/"for" phrases, then its head noun. The verb is the first
    word after it; of two plain lower-case words in a row ("the Nth Room case inspire"),
    the first is the head noun unless it looks like the verb and the second does not.
    """
    need_noun = True  # the subject has no head word yet
    bare_name = False  # the subject so far is a name with no determiner ("Lee Chung-hyun")
    for index, word in enumerate(words):
        lower = _word(word)
        if index == len(words) - 1:
            return index  # "Did Ballerina win"
        if lower in _DETERMINERS or lower in _QUANTIFIERS or lower in {"of", "for"}:
            need_noun, bare_name = True, False
            continue
        if _is_name(word):
            bare_name = (need_noun and index == 0) or bare_name
            need_noun = False
            continue
        if lower in _SPLIT_ADVERBS and not need_noun:
            continue  # "Did the events really happen": the adverb stays before the verb
        if _is_adjective(word) or _is_plural_or_possessive(word):
            # "real events", "the film's director": the noun phrase goes on
            need_noun = not _is_plural_or_possessive(word) or lower.endswith(("'s", "s'"))
            bare_name = False
            continue
        if need_noun:
            need_noun = False  # "the sequel", "dogs": the subject's head word
            continue
        if bare_name:
            return index  # "Did Nth Room inspire", "Did Lee Chung-hyun direct"
        following = words[index + 1]
        if _word(following) in _OBJECT_PRONOUNS:
            return index  # "Does tea help you sleep": a pronoun is the verb's object, no noun
        if (
            following[:1].islower()
            and _word(following) not in _DETERMINERS | _PREPOSITIONS | _SPLIT_ADVERBS
            and not _is_adjective(following)
        ):
            # Two plain words in a row: a compound noun's head and the verb, or the verb
            # and its object ("the film depict violence").
            this_verb, next_verb = _is_base_verb(word), _is_base_verb(following)
            if next_verb and not this_verb:
                continue
            if not (this_verb and not next_verb) and _is_noun_like(word):
                continue
            if not (this_verb or next_verb) and index + 1 < len(words) - 1:
                continue  # "the Nth Room case spark outrage": the object comes after
        return index
    return min(1, len(words) - 1)


def _is_keyword_query(words: list[str]) -> bool:
    """Whether a statement has no verb ("Ballerina", "true story", "Ballerina plot")."""
    for index, word in enumerate(words):
        lower = _word(word)
        if lower in _AUXILIARY_FORMS or lower.endswith("n't") or _is_base_verb(word):
            return False
        if lower in _PAST_FORMS or (lower.endswith("ed") and len(lower) > 4):
            return False
        if lower.endswith("s") and (lower[:-1] in _KNOWN_VERBS or lower[:-2] in _KNOWN_VERBS):
            return False  # "exists", "happens", "watches"
        if _is_plural_or_possessive(word) and index < len(words) - 1 and not lower.endswith("'s"):
            return False  # "WHO probing reports that …": a verb, as far as word lists can tell
    return True


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _yes_no_claim(auxiliary: str, words: list[str], *, analysed: list[str] | None = None) -> str:
    """The statement "<subject> <auxiliary> <predicate>" in the question's own words.

    The auxiliary moves behind the subject and nothing is re-inflected ("Did Min-hee
    commit suicide" → "Min-hee did commit suicide"), so the claim keeps the question's
    spelling. ``analysed`` is the word list the split is computed on (lower-cased for a
    shouted question, whose capitals mark no names); ``words`` are the ones shown.
    """
    lower = auxiliary.lower().replace("’", "'")
    analysed = analysed or words
    if lower in _COPULAS or lower in _PERFECT:
        form = _COPULAS.get(lower) or _PERFECT[lower]
        split = _predicate_start(analysed)
    else:
        form = _MODALS.get(lower) or _DO[lower]
        split = _subject_end_for_verb(analysed)
    if auxiliary.isupper() and len(auxiliary) > 1:
        form = form.upper()
    return " ".join([*words[:split], form, *words[split:]])


def _shouting(text: str) -> bool:
    """All capitals ("IS BALLERINA BASED ON A TRUE STORY"): capitals then say nothing about names."""
    letters = [char for char in text if char.isalpha()]
    return len(letters) > 3 and text.upper() == text and sum(len(t) > 1 for t in text.split()) > 1


def extract_claim(question: str) -> Claim:
    """The claim a question asks about (see the module docstring)."""
    text = _strip(question)
    asked = question.strip().endswith("?")
    request = _REQUEST.match(text.replace("’", "'"))
    if request:
        rest = text[request.end() :].strip(" ,:")
        whether = _WHETHER.match(rest)
        if not whether:
            return Claim(text + ("?" if asked else ""), "open")  # a topic, not a claim
        text, asked = rest[whether.end() :], True  # "Tell me whether X": asked about X
        return extract_claim(text + "?") if _is_question(text) else Claim(_capitalise(text), "yes_no")
    true_that = _TRUE_THAT.match(text)
    if true_that:
        return Claim(_capitalise(text[true_that.end() :]), "yes_no")
    tokens = _TOKEN.findall(text)
    if not tokens:
        return Claim(text, "statement")
    # "WHO probing reports" is the World Health Organization, not a question.
    shouted = tokens[0].isupper() and len(tokens[0]) > 1 and not asked
    wh_at = None if shouted else _opening_wh(tokens)
    if wh_at is not None:  # "Who plays Choi Pro?", "In which city …", "For how long …"
        return Claim(text + "?", "open", _wh_word(tokens, wh_at))
    if not _is_question(text):
        for phrase, rest in _fronted_phrases(text):
            if _relative_clause(phrase, rest):
                break  # "Ballerina, which is on Netflix, is …": a subject, not a fronted phrase
            # "In Ballerina, is Ok-ju a bodyguard?": the question after the fronted phrase decides.
            fronted = _after_fronted_phrase(text, phrase, rest, asked)
            if fronted is not None:
                return fronted
    if _is_question(text):
        claim = _yes_no(text, asked)
        if claim is None:  # "Is Ballerina real or fake?" asks which one; it asserts neither
            return Claim(text + "?", "open")
        return Claim(_capitalise(claim), "yes_no")
    blank = _inner_wh(tokens, asked)
    if blank is not None:  # "Super Bowl 50 decided the NFL champion for what season?", a blank
        return Claim(text + "?", "open", blank or None)
    if asked:
        text = _TAG.sub("", text) or text  # "Ballerina is fiction, right?" → the statement
    if _is_keyword_query(_TOKEN.findall(text)):
        return Claim(text + ("?" if asked else ""), "open")  # "Ballerina", "true story": a topic
    return Claim(text, "statement")


def _yes_no(text: str, asked: bool) -> str | None:
    """The statement a yes/no question asks about, not yet capitalised; None for an
    either/or question ("Is Ballerina real or fake?")."""
    tokens = _TOKEN.findall(text)
    words = tokens[1:]
    if words and _OR_NOT.search(" ".join(words)):
        words = _TOKEN.findall(_OR_NOT.sub("", " ".join(words)))  # "… or not?" asks whether …
    if "or" in (_word(word) for word in words):
        return None
    if len(words) < 2:
        return None
    # A shouted question is analysed in lower case (its capitals mark no names) but shown as typed.
    analysed = [word.lower() for word in words] if asked and _shouting(text) else words
    return _yes_no_claim(tokens[0], words, analysed=analysed)


def _asks_for_quantity(tokens: list[str], position: int) -> bool:
    """ "uses what type", "how many …": a question word that no statement uses mid-sentence."""
    word = _word(tokens[position])
    following = _word(tokens[position + 1]) if position + 1 < len(tokens) else ""
    return word == "what" or (word == "how" and following in {"many", "much"})


def _fronted_phrases(text: str) -> list[tuple[str, str]]:
    """(phrase, rest) at each comma of the first 100 characters: the candidates for a
    phrase fronted before the question ("In addition to Watt, Boulton and Smeaton, whose …")."""
    return [
        (text[: match.start()].strip(), text[match.end() :].strip())
        for match in re.finditer(r",\s*", text[:100])
        if match.start() >= 2 and text[match.end() :].strip()
    ]


def _after_fronted_phrase(text: str, phrase: str, rest: str, asked: bool) -> Claim | None:
    """The claim when ``rest`` (after a fronted ``phrase``) is a question, else None."""
    rest_tokens = _TOKEN.findall(rest)
    wh_at = _opening_wh(rest_tokens)
    if wh_at is not None:
        return Claim(text + "?", "open", _wh_word(rest_tokens, wh_at))
    if not _is_question(rest):
        return None
    phrase_tokens = _TOKEN.findall(phrase)
    asking = [position for position, token in enumerate(phrase_tokens) if _question_word(token)]
    if asking:  # "Before the formation of which planet, did Sol …?"
        return Claim(text + "?", "open", _wh_word(phrase_tokens, asking[0]))
    claim = _yes_no(rest, asked)
    if claim is None:
        return Claim(text + "?", "open")
    return Claim(f"{phrase}, {claim}", "yes_no")


def _relative_clause(phrase: str, rest: str) -> bool:
    """ "Ballerina, which is on Netflix, is …": after a subject (not a fronted "In 1994"), a
    relative clause closed by another comma goes on describing it; it is no question."""
    tokens, phrase_tokens = _TOKEN.findall(rest), _TOKEN.findall(phrase)
    return (
        bool(tokens and phrase_tokens)
        and _word(tokens[0]) in {"which", "who", "whose", "where", "when"}
        and "," in rest
        and _word(phrase_tokens[0]) not in _LEADING_PREPOSITIONS
    )


def _opening_wh(tokens: list[str]) -> int | None:
    """Where the question word stands when the question opens with one, after up to three
    prepositions, numbers or -ly adverbs ("In which …", "For how long …", "In 1846 who …",
    "Strictly speaking, who …"); else None."""
    position = 0
    while position < min(len(tokens) - 1, 3) and _leads_in(tokens[position]):
        position += 1
    return position if _question_word(tokens[position]) else None


def _leads_in(token: str) -> bool:
    word = _word(token)
    return word in _LEADING_PREPOSITIONS or word[:1].isdigit() or (word.endswith("ly") and len(word) > 4)


def _question_word(token: str) -> bool:
    """ "what", "What's", "who's": a question word, contracted or not."""
    word = _word(token)
    return word in _OPEN_WORDS or (word.endswith("'s") and word[:-2] in _OPEN_WORDS)


def _wh_word(tokens: list[str], position: int) -> str:
    """ "who", "which", "how many" …: the question word, with the next word after "how"."""
    head = _word(tokens[position]).removesuffix("'s")
    if head == "how" and position + 1 < len(tokens):
        return f"how {_word(tokens[position + 1])}"
    return head


def _inner_wh(tokens: list[str], asked: bool) -> str | None:
    """For a question that does not open with an auxiliary: the question word standing
    inside it ("The Broncos beat which team?"; "" for a blank at its end, "The name of
    the game is?"), else None. Without a question mark only a question word among the
    last three words counts ("… for what season")."""
    last = len(tokens) - 1
    for position in range(1, len(tokens)):
        word = _word(tokens[position])
        if not _question_word(tokens[position]):
            continue
        if not asked and position < last - 2 and not _asks_for_quantity(tokens, position):
            continue
        if word in {"which", "who", "whose", "when", "where"} and tokens[position - 1].endswith(","):
            continue  # ", which is on Netflix,": a relative clause, not a question
        return _wh_word(tokens, position)
    if len(tokens) > 2 and _word(tokens[-1]) in _BLANK_ENDINGS:
        return ""  # "The name of the game is?", "Telnet was sold to"
    if _BLANK.search(" ".join(tokens)):
        return ""
    if asked and " or " in f" {' '.join(_word(t) for t in tokens)} ":
        return ""  # "… older or younger than the fault?" asks which
    return None


def _is_question(text: str) -> bool:
    """Whether ``text`` opens with an auxiliary and has room for a subject and a predicate."""
    tokens = _TOKEN.findall(text)
    head = tokens[0].lower().replace("’", "'") if tokens else ""
    return (head in _COPULAS or head in _DO or head in _PERFECT or head in _MODALS) and len(tokens) >= 3
