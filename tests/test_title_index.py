"""TitleIndex finds the same titles whichever way it looks for where they may start (one regex over a few
first words, or a loop over every word when there are many)."""

from inquiry.notes.citations import _MAX_START_ALTERNATIVES, TitleIndex

_TITLES = {
    "does rl help the model": "note:rl",
    "does rl help the model at high k": "note:rl-k",  # overlaps the shorter one: the longer wins
    "can memory replace weights": "note:memory",
}
_PARAGRAPH = (
    "Base models win at high k Does RL help the model at high k? and, once more, does RL help the model? "
    "Agents store cases: Can memory replace weights? Can memory replace nothing? Does rl"
)


def _found(index: TitleIndex) -> list[tuple[int, int, str]]:
    return [(m.start, m.end, m.note_id) for m in index.find(_PARAGRAPH)]


def test_few_and_many_first_words_find_the_same_titles():
    few = TitleIndex(_TITLES)
    many = TitleIndex(_TITLES)
    for i in range(_MAX_START_ALTERNATIVES + 1):  # file-name titles: as many first words as notes
        many.add(f"w{i}x zeta theta iota", f"note:w{i}")
    assert len(many._first_words) > _MAX_START_ALTERNATIVES >= len(few._first_words)
    expected = [
        (_PARAGRAPH.index("Does RL help the model at"), _PARAGRAPH.index("? and") + 1, "note:rl-k"),
        (_PARAGRAPH.index("does RL"), _PARAGRAPH.index("? Agents") + 1, "note:rl"),
        (_PARAGRAPH.index("Can memory replace weights"), _PARAGRAPH.index("? Can memory replace n") + 1, "note:memory"),
    ]
    assert _found(few) == expected
    assert _found(many) == expected


def test_a_title_added_later_is_found():
    index = TitleIndex(_TITLES)
    assert index.find("Why is the sky blue today? yes") == []
    index.add("Why is the sky blue today", "note:sky")  # a new first word: the start pattern is rebuilt
    assert [m.note_id for m in index.find("So, why is the sky blue today? yes")] == ["note:sky"]
