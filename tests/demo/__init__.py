"""The bulletin's council, as both the facts and the loaded demo must have it."""

VICE_PRESIDENT_UNITS = {
    "中控技术",
    "宁水集团",
    "舜宇集团",
    "聚光科技",
    "和利时",
    "正泰中自",
    "金卡智能",
}
COUNCIL_UNITS = {"炬华科技", "中控自动化仪表", "西力智能", "绿洁科技", "中德自控", "晨泰科技"}
