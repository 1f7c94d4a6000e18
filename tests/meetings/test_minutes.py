"""Minutes to decisions: the parser on every numbering style and the awkward cases."""

import pytest

from meetings.minutes import chinese_number, decision_title, split_minutes


def test_chinese_numbered_items_are_split_in_order():
    minutes = (
        "一、加快推进城区防汛设施建设。\n"
        "二、原则同意《老旧小区改造实施方案》。\n"
        "三、做好国庆假期安全生产工作。"
    )
    assert split_minutes(minutes) == [
        "加快推进城区防汛设施建设。",
        "原则同意《老旧小区改造实施方案》。",
        "做好国庆假期安全生产工作。",
    ]


@pytest.mark.parametrize(
    "first, second",
    [
        ("1.", "2."),
        ("1．", "2．"),
        ("1、", "2、"),
        ("（一）", "（二）"),
        ("(一)", "(二)"),
        ("(1)", "(2)"),
        ("（1）", "（2）"),
        ("①", "②"),
        ("一、", "二、"),
    ],
)
def test_each_numbering_style_gives_its_items(first, second):
    minutes = f"{first}由市财政局牵头筹措资金。\n{second}由市发展和改革委员会负责立项。"
    assert split_minutes(minutes) == ["由市财政局牵头筹措资金。", "由市发展和改革委员会负责立项。"]


def test_the_preamble_before_the_first_number_is_ignored():
    minutes = (
        "市人民政府常务会议纪要\n"
        "〔2026〕12号\n"
        "2026年9月29日，市长主持召开市政府第12次常务会议，听取了全市重点项目推进情况汇报。"
        "会议议定如下：\n"
        "一、全力推进重点项目建设。\n"
        "二、做好秋冬季大气污染防治。\n"
    )
    assert split_minutes(minutes) == ["全力推进重点项目建设。", "做好秋冬季大气污染防治。"]


def test_wrapped_lines_are_joined_into_their_item():
    minutes = (
        "1. 会议要求市住房和城乡建设局\n  抓紧完成老旧小区改造，\n年底前全部完工。\n"
        "2. 市财政局保障资金。"
    )
    assert split_minutes(minutes) == [
        "会议要求市住房和城乡建设局抓紧完成老旧小区改造，年底前全部完工。",
        "市财政局保障资金。",
    ]


def test_latin_words_on_wrapped_lines_keep_a_space():
    assert split_minutes("1. Build the\nnew bridge\n2. Fix roads") == [
        "Build the new bridge",
        "Fix roads",
    ]


def test_numbers_inside_a_sentence_do_not_start_an_item():
    minutes = (
        "1. 今年完成3.5亿元投资，其中\n"
        "2.5亿元用于交通，2、3号线同步推进。\n"
        "2026.9.29前报送方案。\n"
        "2. 新建学校2所。"
    )
    assert split_minutes(minutes) == [
        "今年完成3.5亿元投资，其中2.5亿元用于交通，2、3号线同步推进。2026.9.29前报送方案。",
        "新建学校2所。",
    ]


def test_a_wrapped_line_starting_with_a_lower_number_stays_in_its_item():
    minutes = "1、推进项目\n2、新建道路，长度为\n1、2两段共8公里。\n3、完善配套"
    assert split_minutes(minutes) == [
        "推进项目",
        "新建道路，长度为1、2两段共8公里。",
        "完善配套",
    ]


def test_sub_points_in_another_style_stay_inside_their_item():
    minutes = (
        "会议议定：\n"
        "一、关于城区防汛工作。\n"
        "（一）由市水利局牵头完成河道清淤。\n"
        "（二）市财政局安排资金。\n"
        "二、原则同意《实施方案》。"
    )
    assert split_minutes(minutes) == [
        "关于城区防汛工作。（一）由市水利局牵头完成河道清淤。（二）市财政局安排资金。",
        "原则同意《实施方案》。",
    ]


def test_attendance_and_distribution_lines_after_the_items_are_not_an_item():
    minutes = "一、推进项目建设。\n二、做好安全生产。\n出席：张三、李四\n抄送：市委办公室"
    assert split_minutes(minutes) == ["推进项目建设。", "做好安全生产。"]


def test_a_number_alone_on_its_line_takes_the_text_below_it():
    assert split_minutes("一、\n推进项目建设。\n二、\n做好安全生产。") == [
        "推进项目建设。",
        "做好安全生产。",
    ]


def test_full_width_spaces_and_windows_line_ends_are_handled():
    assert split_minutes("\u3000\u3000一、推进项目。\r\n\u3000\u3000二、做好安全。\r\n") == [
        "推进项目。",
        "做好安全。",
    ]


def test_items_beyond_ten_are_numbered_in_chinese():
    minutes = "\n".join(
        f"{numeral}、第{n}项。"
        for n, numeral in enumerate(
            ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"], start=1
        )
    )
    items = split_minutes(minutes)
    assert len(items) == 12
    assert items[-1] == "第12项。"


@pytest.mark.parametrize("text", ["", "   \n\n", "会议听取了汇报，没有议定事项。", None])
def test_empty_or_unnumbered_minutes_give_no_items(text):
    assert split_minutes(text) == []


@pytest.mark.parametrize(
    "numeral, value",
    [
        ("一", 1),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十一", 21),
        ("九十九", 99),
        ("一百零五", 105),
    ],
)
def test_chinese_numerals_are_read(numeral, value):
    assert chinese_number(numeral) == value


def test_a_title_is_the_first_sentence_cut_to_a_sensible_length():
    assert (
        decision_title("原则同意《实施方案》。由市发展和改革委员会牵头实施。")
        == "原则同意《实施方案》"
    )
    long = "由市住房和城乡建设局牵头" + "加快推进" * 30 + "。其余略。"
    title = decision_title(long)
    assert len(title) == 60
    assert title.endswith("…")
    assert decision_title("  推进\n项目建设  ") == "推进项目建设"
