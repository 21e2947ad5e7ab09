"""Settings that survive navigation: pages.ui.kept_state and the kept upload."""

from streamlit.testing.v1 import AppTest

from core.data.datasets import youtube_spam
from pages.ui.kept_state import is_setting_value
from tests.app_pages import open_page

TWO_PAGES = """
import streamlit as st
from pages.ui.kept_state import keep_widget_values
if {keep}:
    keep_widget_values()
page = st.radio("page", ["a", "b"], key="nav")
if page == "a":
    st.slider("x", 0, 10, 3, key="x")
    with st.form("f"):
        st.selectbox("s", ["u", "v"], key="s")
        st.form_submit_button("go")
    st.button("b", key="btn")
"""


def two_page_app(keep: bool) -> AppTest:
    return AppTest.from_string(TWO_PAGES.format(keep=keep)).run()


def visit_other_page_and_return(at: AppTest) -> AppTest:
    at.radio(key="nav").set_value("b").run()
    return at.radio(key="nav").set_value("a").run()


def test_streamlit_alone_forgets_a_page_that_was_not_drawn():
    at = two_page_app(keep=False)
    at.slider(key="x").set_value(7).run()
    visit_other_page_and_return(at)
    assert at.slider(key="x").value == 3  # what the kept state is there to prevent


def test_kept_values_come_back_with_their_page_buttons_untouched():
    at = two_page_app(keep=True)
    at.slider(key="x").set_value(7).run()
    at.selectbox(key="s").set_value("v")
    at.button[0].click().run()  # the form's submit button
    visit_other_page_and_return(at)
    assert at.slider(key="x").value == 7
    assert at.selectbox(key="s").value == "v"
    assert not at.exception
    at.button(key="btn").click().run()  # a button is never written back, so it still works
    assert not at.exception


THREE_PAGES = """
import streamlit as st
from pages.ui.kept_state import keep_widget_values
keep_widget_values()
page = st.radio("page", ["a", "b", "c"], key="nav")
if page == "a":
    st.slider("x", 0, 10, 3, key="x")
    st.button("reset", key="reset", on_click=lambda: st.session_state.pop("x"))
"""


def test_a_setting_on_screen_is_never_pushed_back_to_the_browser():
    # A value pushed to the browser overrides what the person is doing there meanwhile.
    at = AppTest.from_string(THREE_PAGES).run()
    at.slider(key="x").set_value(7).run()
    assert at.slider(key="x").value == 7 and not at.slider(key="x").proto.set_value
    at.run()
    assert not at.slider(key="x").proto.set_value


def test_a_setting_comes_back_to_the_browser_after_two_other_pages():
    at = AppTest.from_string(THREE_PAGES).run()
    at.slider(key="x").set_value(7).run()
    for page in ("b", "c", "a"):
        at.radio(key="nav").set_value(page).run()
    slider = at.slider(key="x")
    assert slider.value == 7
    assert slider.proto.set_value and list(slider.proto.value) == [7]  # the browser shows 7
    assert not at.exception


def test_a_setting_the_page_deletes_starts_again_from_its_default():
    at = AppTest.from_string(THREE_PAGES).run()
    at.slider(key="x").set_value(7).run()
    at.button(key="reset").click().run()
    assert at.slider(key="x").value == 3
    at.radio(key="nav").set_value("b").run()
    at.radio(key="nav").set_value("a").run()
    assert at.slider(key="x").value == 3
    assert not at.exception


def test_only_settings_are_written_back():
    assert is_setting_value(3) and is_setting_value("a") and is_setting_value((1, 2.5))
    assert not is_setting_value({"selection": {"points": []}})
    assert not is_setting_value([{"edited_rows": {}}])


def test_text_to_numbers_keeps_its_own_text_across_pages():
    at = open_page("pages/text_to_numbers.py")
    at.text_area(key="pasted").set_value("alpha beta\ngamma delta alpha").run()
    at.switch_page("pages/runs.py").run()
    at.switch_page("pages/text_to_numbers.py").run()
    assert at.text_area(key="pasted").value == "alpha beta\ngamma delta alpha"
    assert not at.exception


def test_the_classifier_page_keeps_its_data_choice_and_upload():
    at = open_page("pages/classifier_train.py")
    data = youtube_spam()
    at.session_state["_read_clf_upload"] = (("earlier-upload", "labelled"), data)
    at.session_state["_name_clf_upload"] = "my_comments.csv"
    choice = at.radio(key="clf_dataset") if _has_radio(at, "clf_dataset") else None
    widget = choice or at.selectbox(key="clf_dataset")
    upload_option = [o for o in widget.options if "pload" in o][0]
    widget.set_value(upload_option).run()
    at.switch_page("pages/runs.py").run()
    at.switch_page("pages/classifier_train.py").run()
    widget = at.radio(key="clf_dataset") if choice else at.selectbox(key="clf_dataset")
    assert widget.value == upload_option
    assert any("my\\_comments" in info.value for info in at.info)
    assert any(f"{len(data):,} labelled texts" in s.value for s in at.success)
    at.button(key="clf_upload_forget").click().run()
    assert not any("my\\_comments" in info.value for info in at.info)
    assert not at.exception


def _has_radio(at: AppTest, key: str) -> bool:
    return any(r.key == key for r in at.radio)


def test_results_under_changed_settings_say_they_belong_to_an_earlier_run():
    at = open_page("pages/classifier_train.py")
    at.number_input(key="clf_epochs").set_value(2)
    at.button[0].click().run(timeout=300)
    assert not any("earlier run" in w.value for w in at.warning)
    at.radio(key="clf_split_kind").set_value(at.radio(key="clf_split_kind").options[-1]).run()
    assert any("earlier run" in w.value for w in at.warning)
    assert not at.exception


SETTING_WIDGETS = {
    "slider", "selectbox", "radio", "checkbox", "number_input", "text_input", "text_area",
    "multiselect", "select_slider", "segmented_control", "toggle", "pills",
}  # fmt: skip


def test_every_setting_widget_has_a_key_so_it_can_be_kept():
    """Streamlit can only restore a widget it can address: one without a key resets."""
    import ast

    from tests.conftest import ROOT

    missing = []
    for path in sorted((ROOT / "pages").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in SETTING_WIDGETS
                and not any(keyword.arg == "key" for keyword in node.keywords)
            ):
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.func.attr}")
    assert not missing, missing


def test_no_form_shares_its_name_with_a_widget_key():
    """A form whose name is also a widget's key cannot be drawn once that widget's value is
    kept: Streamlit refuses a session value under a form's key."""
    import re

    from tests.conftest import ROOT

    forms, keys = set(), set()
    for path in (ROOT / "pages").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        forms |= set(re.findall(r'st\.form\(\s*"([^"]+)"', text))
        keys |= set(re.findall(r'key="([^"]+)"', text))
    assert not forms & keys


def test_text_to_numbers_follows_new_text_until_the_query_is_edited():
    at = open_page("pages/text_to_numbers.py")
    at.text_area(key="pasted").set_value("dogs bark loudly\ncats purr softly").run()
    assert at.selectbox(key="pick").value.startswith("doc 0: dogs bark")
    assert at.text_input(key="query").value == "dogs bark loudly"
    at.selectbox(key="pick").set_value("doc 1: cats purr softly").run()
    assert at.text_input(key="query").value == "cats purr softly"
    at.text_input(key="query").set_value("my own query").run()
    at.selectbox(key="pick").set_value("doc 0: dogs bark loudly").run()
    assert at.text_input(key="query").value == "my own query"
    assert not at.exception
