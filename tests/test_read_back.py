"""Saying where the review page and the claim part, so that the person sees the difference at once."""

from safet_filer.filing import where_texts_differ


def test_the_first_difference_is_quoted_from_both_texts():
    said = where_texts_differ(
        "Returned with a cracked jar and a missing lid; photos attached.",
        "Returned with a cracked jar and missing lid; photos attached.",
    )
    assert said == (
        'the page shows "…h a cracked jar and a missing lid; photo…", the claim says "…h a cracked jar and missing lid; photos …"'
    )


def test_a_text_cut_short_by_the_page_shows_where_it_ends():
    assert where_texts_differ("Cracked jar", "Cracked jar, lid missing") == (
        'the page shows "Cracked jar", the claim says "Cracked jar, lid missing"'
    )


def test_white_space_the_page_may_wrap_is_not_a_difference_to_quote():
    assert where_texts_differ("two\n  lines", "two lines") == 'the page shows "two lines", the claim says "two lines"'
