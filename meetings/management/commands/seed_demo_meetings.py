"""`manage.py seed_demo_meetings`: this year's meetings of the demo city and their decisions.

Needs `seed_demo` first (its units and people). Registers executive meetings, mayor's office
meetings, topic meetings and a weekly work meeting with their minutes, the way the office
does it on the meeting page: the minutes are split into decisions by the minutes parser,
the units and deadlines proposed for them are taken as they are, and the decisions are
saved and assigned all at once. The newest executive meeting's decisions stay drafts. Then
the lead units' heads acknowledge, report and ask for closure and the office closes most,
so the meetings show different completion rates and a few decisions run overdue.

Fixed random seed, dates relative to today. A meeting already registered (same kind and
subject) is skipped whole, so running the command again changes nothing.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone, translation

from meetings import selectors
from meetings import services as meeting_services
from meetings.choices import MeetingKind
from meetings.minutes import split_minutes
from meetings.models import Meeting
from taskboard import services, workdays
from taskboard.management.commands.seed_demo import UNITS
from taskboard.models import Task, Unit

User = get_user_model()

SEED = 2026
ONE_DAY = datetime.timedelta(days=1)
CHINESE_NUMBERS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Item:
    """One decision: the unit it names first (which leads), its text, and how far the
    demo takes its task. `days` gives a deadline that many days from today instead of the
    rule's (work that takes longer than the rule's feedback period)."""

    unit: str
    text: str
    outcome: str = "closed"
    days: int | None = None


@dataclass(frozen=True)
class MeetingPlan:
    kind: str
    subject: str
    chair: str
    # A float places the meeting between early January and six weeks ago; an int is
    # that many days ago.
    when: float | int
    heard: str
    items: tuple[Item, ...]
    assign: bool = True


# Outcomes: draft (not assigned), assigned, acknowledged, progress, closure (closure
# requested), returned (closure sent back), closed.
MEETINGS: list[MeetingPlan] = [
    MeetingPlan(
        MeetingKind.EXECUTIVE,
        "研究部署全年经济社会发展重点工作",
        "mayor",
        0.02,
        "市发改委关于全年经济社会发展主要预期目标和重点工作安排的汇报",
        (
            Item(
                "fgw",
                "抓紧分解落实全年经济社会发展主要目标任务。由市发改委牵头，市统计局配合，"
                "将主要预期目标分解到各县（市、区）和市直有关部门，建立月调度、季通报工作机制。",
            ),
            Item(
                "cz",
                "做好一季度财政收入组织和重点支出保障。由市财政局牵头，加强收入征管，"
                "确保一季度一般公共预算收入实现“开门红”，优先保障基本民生支出。",
            ),
            Item(
                "sw",
                "组织开展节日期间促消费活动。由市商务局牵头，市文旅局、市市场监管局配合，"
                "统筹开展惠民促消费活动，加强重要民生商品保供稳价。",
            ),
            Item(
                "rs",
                "做好农民工工资支付保障工作。由市人社局牵头，市住建局、市交通运输局配合，"
                "开展根治欠薪专项行动，确保农民工工资按时足额发放。",
            ),
            Item(
                "yj",
                "全面排查整治人员密集场所安全隐患。由市应急局牵头，市公安局、市市场监管局配合，"
                "聚焦商场、燃气、道路交通等重点领域，开展安全生产大检查。",
            ),
            Item(
                "mz",
                "做好困难群众走访慰问和基本生活保障。由市民政局牵头，市财政局配合，"
                "及时足额发放临时救助和价格临时补贴。",
            ),
            Item(
                "gxj",
                "落实规上工业企业稳产满产激励措施。由市工信局牵头，市财政局配合，"
                "对稳产满产的规上工业企业给予奖励，尽快完成首批奖补资金兑现。",
            ),
        ),
    ),
    MeetingPlan(
        MeetingKind.OFFICE,
        "研究江北新城基础设施建设和土地收储工作",
        "mayor",
        0.14,
        "江北区关于江北新城开发建设情况和市自然资源规划局关于土地收储计划的汇报",
        (
            Item(
                "jbq",
                "加快江北新城路网建设。由江北区牵头，市交通运输局、市自然资源规划局配合，"
                "完成滨江大道北延段征地拆迁，推动主干路网尽快开工。",
            ),
            Item(
                "zrzy",
                "做好江北新城土地收储和供应。由市自然资源规划局牵头，江北区配合，"
                "编制年度土地收储和供应计划，优先保障重大产业项目用地。",
            ),
            Item(
                "cz",
                "统筹保障江北新城建设资金。由市财政局牵头，江北区配合，"
                "积极争取地方政府专项债券，研究设立新城开发建设基金。",
            ),
            Item(
                "sl",
                "推进滨江堤防加固工程前期工作。由市水利局牵头，江北区配合，"
                "完成初步设计审批，力争主汛期前完成险工险段应急处置。",
            ),
        ),
    ),
    MeetingPlan(
        MeetingKind.EXECUTIVE,
        "研究一季度经济运行和春季农业生产、森林防灭火工作",
        "mayor",
        0.28,
        "市统计局关于一季度全市经济运行情况、市农业农村局关于春季农业生产情况的汇报",
        (
            Item(
                "tj",
                "加强经济运行监测调度。由市统计局牵头，市发改委配合，"
                "建立重点企业、重点项目运行监测清单，每月10日前报送经济运行分析。",
            ),
            Item(
                "nync",
                "抓好春耕备耕和粮食生产。由市农业农村局牵头，临湖县、青山县、安平县配合，"
                "落实粮食播种面积，做好农资保供和农技服务。",
            ),
            Item(
                "yj",
                "做好森林防灭火工作。由市应急局牵头，青山县、临湖县配合，"
                "落实清明节期间重点时段、重点部位管控措施，严防发生森林火灾。",
            ),
            Item(
                "zrzy",
                "加快批而未供和闲置土地处置。由市自然资源规划局牵头，市住建局配合，"
                "逐宗分析原因，分类制定处置方案，按期完成首批处置任务。",
            ),
            Item(
                "kj",
                "组织开展高新技术企业申报培育。由市科技局牵头，市工信局、市财政局配合，"
                "建立高新技术企业培育库，做好申报辅导和政策兑现。",
            ),
            Item(
                "jy",
                "做好义务教育招生入学准备工作。由市教育局牵头，城东区、城西区配合，"
                "科学测算学位需求，提前公布招生政策和学区划分方案。",
            ),
        ),
    ),
    MeetingPlan(
        MeetingKind.TOPIC,
        "研究部署主汛期防汛备汛工作",
        "vmayor2",
        0.4,
        "市水利局关于防汛备汛工作准备情况和市城管局关于城区排水防涝设施情况的汇报",
        (
            Item(
                "sl",
                "压紧压实防汛责任。由市水利局牵头，逐库逐堤落实行政、技术、巡查三个责任人，"
                "完成防汛物资和抢险队伍检查。",
            ),
            Item(
                "cg",
                "做好城区排水管网清淤疏浚。由市城管局牵头，市住建局配合，"
                "完成主次干道雨水管网和泵站清淤检修，逐一落实易涝点应急措施。",
            ),
            Item(
                "zj",
                "加强在建工地防汛安全管理。由市住建局牵头，对深基坑、高边坡和临时工棚"
                "开展隐患排查，落实汛期停工撤人措施。",
            ),
            Item(
                "jbq",
                "完善沿江低洼地带人员转移避险预案。由江北区牵头，市应急局配合，"
                "明确转移路线和安置点，组织开展一次应急演练。",
            ),
        ),
    ),
    MeetingPlan(
        MeetingKind.EXECUTIVE,
        "研究城市更新、老旧小区改造和防汛备汛工作",
        "mayor",
        0.53,
        "市住建局关于城市更新和老旧小区改造推进情况、市水利局关于防汛备汛工作的汇报",
        (
            Item(
                "zj",
                "加快推进老旧小区改造项目建设。由市住建局牵头，市财政局、城东区、城西区配合，"
                "倒排工期，确保年度改造项目全部开工。",
            ),
            Item(
                "zj",
                "启动第二批城市更新单元策划。由市住建局牵头，市自然资源规划局、市发改委配合，"
                "按节点完成片区策划和实施方案编制，报市政府审定。",
                "progress",
                days=38,
            ),
            Item(
                "sl",
                "全面落实防汛备汛各项措施。由市水利局牵头，市应急局、市城管局配合，"
                "完成病险水库、堤防和城区易涝点隐患排查整治。",
            ),
            Item(
                "cg",
                "完成中心城区易涝点改造。由市城管局牵头，市住建局配合，"
                "对排查出的易涝点逐一制定改造方案，主汛期前完成改造。",
            ),
            Item(
                "zrzy",
                "做好地质灾害隐患点排查和群测群防。由市自然资源规划局牵头，青山县、临湖县配合，"
                "落实隐患点监测责任人，完善预警转移机制。",
            ),
            Item(
                "jt",
                "抓紧实施城市公交线网优化方案。由市交通运输局牵头，市公安局配合，"
                "优化调整重叠线路，新开学校、医院、产业园区通勤线路。",
            ),
            Item(
                "cz",
                "统筹保障城市更新和防汛项目资金。由市财政局牵头，市发改委配合，"
                "积极争取超长期特别国债和专项债券资金，加快资金拨付。",
            ),
        ),
    ),
    MeetingPlan(
        MeetingKind.OFFICE,
        "研究优化营商环境和企业用地用电问题",
        "mayor",
        0.64,
        "市发改委关于营商环境评价情况的汇报和部分企业反映的用地、用电问题",
        (
            Item(
                "fgw",
                "建立重点企业诉求快速响应机制。由市发改委牵头，市工信局、市商务局配合，"
                "对企业反映的问题实行清单化管理、闭环式办理。",
            ),
            Item(
                "gxj",
                "协调解决安平工业园企业用电报装问题。由市工信局牵头，安平县配合，"
                "会同供电部门压缩报装时限，限期完成园区新增变电容量接入。",
                "returned",
            ),
            Item(
                "zrzy",
                "加快工业用地“标准地”出让。由市自然资源规划局牵头，市发改委配合，"
                "新出让工业用地全面实行“标准地”供应，推行“拿地即开工”。",
            ),
            Item(
                "scjg",
                "推行经营主体登记全程网办。由市市场监管局牵头，"
                "实现企业开办一个环节、一天办结，压减准入审批材料。",
            ),
            Item(
                "sw",
                "开展重点外贸企业走访服务。由市商务局牵头，市财政局配合，"
                "帮助企业用好出口信保和稳外贸资金，协调解决订单、物流困难。",
            ),
        ),
    ),
    MeetingPlan(
        MeetingKind.TOPIC,
        "研究工贸行业和危险化学品安全生产工作",
        "vmayor3",
        0.74,
        "市应急局关于工贸行业和危险化学品企业安全生产形势的汇报",
        (
            Item(
                "yj",
                "开展危险化学品企业安全隐患排查整治。由市应急局牵头，市工信局配合，"
                "对全市危险化学品生产、储存企业开展全覆盖检查，建立隐患整改台账。",
            ),
            Item(
                "gxj",
                "推进化工园区安全整治提升。由市工信局牵头，市应急局、市生态环境局配合，"
                "完善园区封闭化管理和智慧安全监管平台建设。",
                "progress",
            ),
            Item(
                "scjg",
                "开展电梯、锅炉等特种设备安全专项检查。由市市场监管局牵头，"
                "重点检查住宅小区电梯和工业锅炉，督促使用单位落实主体责任。",
            ),
            Item(
                "lhx",
                "整改临湖县工业园区安全隐患。由临湖县牵头，市应急局配合，"
                "对检查发现的问题逐项整改销号，举一反三开展自查。",
            ),
            Item(
                "qsx",
                "加强非煤矿山安全监管。由青山县牵头，市应急局、市自然资源规划局配合，"
                "严厉打击非法盗采和超层越界开采行为。",
            ),
        ),
    ),
    MeetingPlan(
        MeetingKind.EXECUTIVE,
        "研究上半年经济运行、高校毕业生就业和民生实事推进工作",
        "mayor",
        0.86,
        "市发改委关于上半年经济运行情况、市人社局关于高校毕业生就业工作的汇报",
        (
            Item(
                "fgw",
                "加强上半年经济运行分析研判。由市发改委牵头，市统计局、市工信局配合，"
                "对进度滞后的指标逐项分析原因，提出下半年追赶措施。",
            ),
            Item(
                "rs",
                "做好高校毕业生就业服务。由市人社局牵头，市教育局配合，"
                "开展百日千万招聘专项行动，落实就业见习和社保补贴政策。",
            ),
            Item(
                "mz",
                "加快社区老年食堂建设。由市民政局牵头，城东区、江南区配合，"
                "落实场地和运营主体，推动已建成的老年食堂尽快投入运营。",
                "progress",
            ),
            Item(
                "wj",
                "推进紧密型县域医共体建设。由市卫健委牵头，临湖县、青山县、安平县配合，"
                "统一医共体内人员、财务和药品管理。",
            ),
            Item(
                "scjg",
                "开展预付式消费领域专项整治。由市市场监管局牵头，市商务局、市文旅局配合，"
                "重点整治健身、美容美发、教育培训等行业预收费风险。",
            ),
            Item(
                "jnq",
                "加快城中村改造安置房建设交付。由江南区牵头，市住建局配合，"
                "倒排工期，确保安置房按期交付，妥善做好群众过渡安置。",
            ),
        ),
    ),
    MeetingPlan(
        MeetingKind.TOPIC,
        "研究城区义务教育学位扩容和校园安全工作",
        "vmayor4",
        40,
        "市教育局关于城区学位供需情况和校园安全工作的汇报",
        (
            Item(
                "jy",
                "加快城区新建学校建设。由市教育局牵头，城东区、市住建局配合，"
                "加快东湖小学、城东第二中学建设进度，确保明年秋季学期投入使用。",
                "progress",
                days=45,
            ),
            Item(
                "ga",
                "加强校园周边治安防控。由市公安局牵头，市教育局配合，"
                "落实上下学高峰期“护学岗”，整治校园周边交通秩序。",
            ),
            Item(
                "wj",
                "做好学校传染病防控和卫生监督。由市卫健委牵头，市教育局配合，"
                "加强晨午检和因病缺课追踪，开展学校食堂卫生检查。",
            ),
        ),
    ),
    MeetingPlan(
        MeetingKind.EXECUTIVE,
        "研究秋冬季大气污染防治、冬季供暖和四季度经济工作",
        "mayor",
        25,
        "市生态环境局关于秋冬季大气污染防治形势、市住建局关于冬季供暖准备情况的汇报",
        (
            Item(
                "sthj",
                "打好秋冬季大气污染防治攻坚战。由市生态环境局牵头，市住建局、市交通运输局、"
                "市城管局配合，严格落实工地扬尘、柴油货车和秸秆禁烧管控。",
                "progress",
                days=40,
            ),
            Item(
                "zj",
                "做好冬季清洁取暖和供热保障。由市住建局牵头，市发改委配合，"
                "督促供热企业做好设备检修和燃料储备，确保按时供暖。",
            ),
            Item(
                "fgw",
                "全力以赴冲刺全年目标任务。由市发改委牵头，市统计局配合，"
                "对照全年目标查漏补缺，推动重点项目加快形成实物工作量。",
                "closure",
                days=20,
            ),
            Item(
                "cz",
                "加快财政支出进度。由市财政局牵头，督促各预算单位加快执行，"
                "确保专项债券资金尽快形成实物工作量。",
            ),
            Item(
                "nync",
                "做好秋粮收购和冬种生产。由市农业农村局牵头，市发改委配合，"
                "落实最低收购价政策，防止出现“卖粮难”。",
            ),
            Item(
                "gxj",
                "帮助重点工业企业解决用工、用能问题。由市工信局牵头，市人社局配合，"
                "开展“一企一策”精准帮扶，保障重点企业满负荷生产。",
                "progress",
            ),
        ),
    ),
    MeetingPlan(
        MeetingKind.OFFICE,
        "研究云溪高铁站片区开发建设工作",
        "mayor",
        12,
        "云溪市关于高铁站片区开发建设情况的汇报",
        (
            Item(
                "yxs",
                "加快高铁站片区控制性详细规划编制。由云溪市牵头，市自然资源规划局配合，"
                "统筹片区功能布局和交通组织，按程序报批。",
                "progress",
                days=50,
            ),
            Item(
                "jt",
                "推进高铁站综合交通枢纽配套道路建设。由市交通运输局牵头，云溪市配合，"
                "完成站前路、迎宾大道工程可行性研究和初步设计。",
                "acknowledged",
                days=60,
            ),
            Item(
                "fgw",
                "做好片区开发项目前期工作和资金申报。由市发改委牵头，云溪市配合，"
                "将枢纽配套项目纳入省重点项目库，积极争取上级资金。",
                "closure",
                days=30,
            ),
            Item(
                "cz",
                "研究片区开发投融资模式。由市财政局牵头，云溪市配合，"
                "提出片区综合开发投融资方案，防范新增隐性债务。",
            ),
        ),
    ),
    MeetingPlan(
        MeetingKind.WEEKLY,
        "调度近期经济运行和重点工作",
        "vmayor1",
        9,
        "各单位近期重点工作进展情况汇报",
        (
            Item(
                "tj",
                "做好经济指标月度调度。由市统计局牵头，督促重点企业按时报送统计数据，"
                "确保应统尽统。",
            ),
            Item(
                "sw",
                "组织好周末促消费活动。由市商务局牵头，市文旅局配合，"
                "联合重点商圈开展让利促销，做好活动安全保障。",
            ),
            Item(
                "cdq",
                "协调解决农贸市场改造中的商户安置问题。由城东区牵头，市市场监管局配合，"
                "设置临时经营点，妥善安置在册商户。",
                "acknowledged",
            ),
            Item(
                "cz",
                "加快惠企资金兑付。由市财政局牵头，市工信局配合，"
                "对已审核通过的惠企资金限时拨付到位。",
            ),
        ),
    ),
    MeetingPlan(
        MeetingKind.EXECUTIVE,
        "研究明年民生实事项目征集和岁末年初安全生产工作",
        "mayor",
        2,
        "市发改委关于明年民生实事项目征集方案、市应急局关于岁末年初安全生产工作的汇报",
        (
            Item(
                "fgw",
                "组织开展明年民生实事项目征集。由市发改委牵头，市财政局配合，"
                "通过网络、信函等方式广泛征集群众意见，形成候选项目清单。",
                "draft",
            ),
            Item(
                "yj",
                "部署岁末年初安全生产工作。由市应急局牵头，市公安局、市住建局配合，"
                "紧盯燃气、消防、道路交通等重点领域，开展隐患排查整治。",
                "draft",
            ),
            Item(
                "rs",
                "开展根治欠薪冬季专项行动。由市人社局牵头，市住建局、市交通运输局配合，"
                "确保农民工工资在春节前足额支付。",
                "draft",
            ),
            Item(
                "mz",
                "做好困难群众冬季基本生活保障。由市民政局牵头，市财政局配合，"
                "及时发放取暖补贴，加强流浪乞讨人员寒冬救助。",
                "draft",
            ),
            Item(
                "jt",
                "做好元旦春节期间交通运输保障。由市交通运输局牵头，市公安局配合，"
                "加强运力调度和客运安全监管。",
                "draft",
            ),
        ),
        assign=False,
    ),
]

PROGRESS_TEXTS = [
    "已召开专题会议研究部署，制定工作方案，明确责任科室和完成时限，目前完成约{pct}%。",
    "已完成现场调研摸底，梳理问题清单{n}项，已落实{m}项，其余正在推进，完成约{pct}%。",
    "已会同相关单位对接会商，形成实施方案并组织实施，完成约{pct}%。",
    "已将任务分解到{n}个责任科室和相关县（市、区），正在按节点推进，完成约{pct}%。",
]
DONE_TEXTS = [
    "已按会议议定要求全部完成，相关佐证材料已整理归档。",
    "各项工作已落实到位，并形成长效工作机制，办结报告及佐证材料附后。",
    "议定事项已办理完毕，经单位主要负责同志审定，申请办结。",
]
CLOSE_NOTES = [
    "经核查，佐证材料齐全，同意销号。",
    "经实地核查，议定事项已落实，予以销号。",
    "审核通过，办结销号。",
]
RETURN_REASON = "佐证材料不全，请补充相关验收资料和现场照片后重新申请办结。"


class Command(BaseCommand):
    help = (
        "Add this year's meetings of the demo city (run seed_demo first): minutes, decisions "
        "assigned as tasks and carried out in part. Safe to run again."
    )

    def handle(self, *args, **options):
        self.rng = random.Random(SEED)
        self.today = timezone.localdate()
        with transaction.atomic():
            self.units, self.people = self.load_city()
            self.slug_of = {unit.pk: slug for slug, unit in self.units.items()}
            created, meetings = [], []
            for plan in sorted(MEETINGS, key=lambda plan: self.date_of(plan)):
                meeting = Meeting.objects.filter(kind=plan.kind, subject=plan.subject).first()
                if meeting is None:
                    meeting = self.make_meeting(plan)
                    created.append(meeting)
                meetings.append(meeting)
        with translation.override(settings.LANGUAGE_CODE):
            self.report(created, meetings)

    # -- the city seed_demo built ------------------------------------------

    def load_city(self) -> tuple[dict[str, Unit], dict[str, object]]:
        names = {name: slug for slug, name, *_rest in UNITS}
        units = {names[unit.name]: unit for unit in Unit.objects.filter(name__in=names)}
        usernames = {"office", "director", "mayor"}
        for plan in MEETINGS:
            usernames.add(plan.chair)
            usernames.update(f"{item.unit}_head" for item in plan.items)
        people = {
            user.username: user
            for user in User.objects.filter(username__in=usernames, profile__isnull=False)
        }
        missing = sorted(set(names.values()) - set(units)) + sorted(usernames - set(people))
        if missing:
            raise CommandError(
                "演示城市的单位或人员不存在，请先运行 manage.py seed_demo。"
                f"(Demo units or people missing, run `manage.py seed_demo` first: "
                f"{', '.join(missing[:8])}{' …' if len(missing) > 8 else ''})"
            )
        return units, people

    # -- dates -------------------------------------------------------------

    def date_of(self, plan: MeetingPlan) -> datetime.date:
        if isinstance(plan.when, float):
            # Spread over the year so far, or the last five months early in the year.
            start = min(datetime.date(self.today.year, 1, 8), self.today - 150 * ONE_DAY)
            end = self.today - 45 * ONE_DAY
            day = start + datetime.timedelta(days=round((end - start).days * plan.when))
        else:
            day = self.today - plan.when * ONE_DAY
        return self.workday_on_or_before(day)

    @staticmethod
    def workday_on_or_before(day: datetime.date) -> datetime.date:
        while not workdays.is_workday(day):
            day -= ONE_DAY
        return day

    # -- one meeting -------------------------------------------------------

    def make_meeting(self, plan: MeetingPlan) -> Meeting:
        office, chair = self.people["office"], self.people[plan.chair]
        texts = [item.text for item in plan.items]
        attending = [
            unit
            for unit in self.units.values()
            if any(unit.short_name in text or unit.name in text for text in texts)
        ]
        attending.sort(key=lambda unit: (unit.sort_order, unit.name))
        meeting = meeting_services.meeting_create(
            by=office,
            kind=plan.kind,
            date=self.date_of(plan),
            subject=plan.subject,
            chair=chair,
            attending_units=attending,
        )
        minutes = self.minutes(meeting, plan, attending)

        # As on the review page: split the minutes, take the proposed units, leader and
        # deadline, save the decisions as drafts with the minutes, then assign them all.
        items = split_minutes(minutes)
        if items != texts:
            raise CommandError(f"Minutes of {plan.subject} do not split into its items.")
        if plan.assign:
            assigned_on = min(workdays.add_workdays(meeting.date, 1), self.today)
        else:
            assigned_on = self.today
        proposals = selectors.decision_proposals(
            meeting=meeting, texts=items, assigned_on=assigned_on
        )
        drafts = []
        for item, proposal in zip(plan.items, proposals, strict=True):
            if proposal.lead_unit != self.units[item.unit]:
                raise CommandError(f"“{item.text[:20]}…” does not name {item.unit} first.")
            deadline = proposal.deadline
            if item.days is not None:
                deadline = self.today + item.days * ONE_DAY
            drafts.append(
                meeting_services.DecisionDraft(
                    text=proposal.text,
                    lead_unit=proposal.lead_unit,
                    deadline=deadline,
                    co_units=proposal.co_units,
                    lead_leader=proposal.lead_leader,
                )
            )
        decisions = meeting_services.decisions_create(
            meeting=meeting, by=office, drafts=drafts, minutes=minutes
        )
        if not plan.assign:
            return meeting
        meeting_services.decisions_assign(meeting=meeting, by=office, assigned_on=assigned_on)
        for item, decision in zip(plan.items, decisions, strict=True):
            self.carry_out(Task.objects.get(pk=decision.task_id), item.outcome)
        return meeting

    def minutes(self, meeting: Meeting, plan: MeetingPlan, attending: list[Unit]) -> str:
        chair = self.people[plan.chair].get_full_name()
        day = f"{meeting.date.year}年{meeting.date.month}月{meeting.date.day}日"
        number = f"〔{meeting.date.year}〕{meeting.number}号"
        if plan.kind == MeetingKind.EXECUTIVE:
            head = [
                "市人民政府常务会议纪要",
                number,
                f"{day}，市长{chair}主持召开市政府第{meeting.number}次常务会议，"
                f"{plan.subject}。会议听取了{plan.heard}，经认真讨论，议定如下：",
            ]
            present = "出席：" + " ".join(
                self.people_named("mayor", "vmayor1", "vmayor2", "vmayor3", "vmayor4")
            )
        elif plan.kind == MeetingKind.OFFICE:
            head = [
                "市长办公会议纪要",
                number,
                f"{day}，市长{chair}主持召开市长办公会议，{plan.subject}。"
                f"会议听取了{plan.heard}，议定如下：",
            ]
            present = f"出席：{chair}"
        elif plan.kind == MeetingKind.WEEKLY:
            head = [
                "市政府每周工作例会纪要",
                f"{day}，副市长{chair}主持召开市政府每周工作例会，{plan.subject}。"
                f"会议听取了{plan.heard}，议定如下：",
            ]
            present = f"出席：{chair}"
        else:
            head = [
                "专题会议纪要",
                f"{day}，副市长{chair}主持召开专题会议，{plan.subject}。"
                f"会议听取了{plan.heard}，议定如下：",
            ]
            present = f"出席：{chair}"
        body = [f"{CHINESE_NUMBERS[n]}、{item.text}" for n, item in enumerate(plan.items)]
        foot = [
            present,
            "列席：" + "、".join(unit.short_name or unit.name for unit in attending),
            f"记录：市政府督查室 {self.people['office'].get_full_name()}",
        ]
        return "\n".join([*head, "", *body, "", *foot]) + "\n"

    def people_named(self, *usernames: str) -> list[str]:
        users = {
            user.username: user.get_full_name()
            for user in User.objects.filter(username__in=usernames)
        }
        return [users[name] for name in usernames if name in users]

    # -- carrying a decision out -------------------------------------------

    def carry_out(self, task: Task, outcome: str) -> None:
        rng = self.rng
        head = self.people[f"{self.slug_of[task.lead_unit_id]}_head"]
        office = self.people["office"]
        if outcome == "assigned":
            return
        services.task_acknowledge(task=task, by=head)
        if outcome == "acknowledged":
            return
        if outcome == "progress":
            for percent in sorted({rng.choice([20, 30, 40]), rng.choice([50, 60, 70, 80])}):
                self.report_progress(task, head, percent)
            return
        if rng.random() < 0.5:
            self.report_progress(task, head, rng.choice([40, 50, 60, 70]))
        services.task_report_progress(task=task, by=head, text=rng.choice(DONE_TEXTS), percent=100)
        services.task_request_closure(
            task=task,
            by=head,
            summary=f"“{task.title}”已按会议议定要求办理完毕，办结报告及佐证材料已上传，申请销号。",
        )
        if outcome == "closure":
            return
        if outcome == "returned":
            services.task_return(task=task, by=office, reason=RETURN_REASON)
            return
        closer = office if rng.random() < 0.85 else self.people["director"]
        services.task_close(task=task, by=closer, note=rng.choice(CLOSE_NOTES))

    def report_progress(self, task: Task, by, percent: int) -> None:
        rng = self.rng
        n = rng.randint(3, 12)
        text = rng.choice(PROGRESS_TEXTS).format(
            pct=percent, n=n, m=max(1, round(n * percent / 100))
        )
        services.task_report_progress(task=task, by=by, text=text, percent=percent)

    # -- the summary -------------------------------------------------------

    def report(self, created: list[Meeting], meetings: list[Meeting]) -> None:
        write = self.stdout.write
        if created:
            decisions = sum(meeting.decisions.count() for meeting in created)
            write(
                self.style.SUCCESS(
                    f"会议演示数据已生成：新建会议 {len(created)} 个、议定事项 {decisions} 项。"
                )
            )
        else:
            write(self.style.SUCCESS("会议演示数据已存在，未做任何改动。"))
        rows = selectors.meeting_list(
            meetings=Meeting.objects.filter(pk__in=[meeting.pk for meeting in meetings]),
            tasks=Task.objects.all(),
        ).order_by("date", "kind", "number")
        overdue = Task.objects.open().filter(
            decision__meeting__in=meetings, deadline__lt=self.today
        )
        for row in rows:
            rate = selectors.CompletionRate(row.done_count, row.decision_count)
            drafts = f"，待交办 {row.draft_count} 项" if row.draft_count else ""
            write(
                f"  {row.date:%m-%d} {row.display_name}：议定事项 {row.decision_count} 项，"
                f"办结 {row.done_count} 项，落实率 {rate}{drafts}"
            )
        write(f"  逾期未办结的议定事项 {overdue.count()} 项。")
