"""`manage.py seed_demo_directives`: the demo city's other sources of work.

Needs `seed_demo` first (its units and people). Registers, through `directives.services`,
this year's government work report with its main targets (milestones; some split into
parts for several districts or counties), instructions from the mayor and the vice mayors
on documents, letters and field visits, an inspection team's rectification list from the
province, and deputies' suggestions and members' proposals with replies and the
proposers' satisfaction, one of them not satisfied, which reopens its closed task. Every
source is assigned the way the office does it, then the lead units' heads acknowledge,
report and ask for closure and the office closes some.

Fixed random seed, dates relative to today. A source already registered (the report by
year and title, an instruction by its text, the list by issuing body and title, a
proposal by year, kind and number) is skipped, so running the command again changes nothing.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from directives import services as sources
from directives.choices import InstructionKind, ProposalKind, Satisfaction
from directives.models import Instruction, Proposal, ProposalReply, SuperiorAssignment, WorkReport
from directives.services import Item, Part, UnitsAndPeople
from taskboard import services, workdays
from taskboard.choices import TaskState
from taskboard.management.commands.seed_demo import PORTFOLIOS, UNITS
from taskboard.models import Milestone, Task, Unit

User = get_user_model()

SEED = 2026
ONE_DAY = datetime.timedelta(days=1)

# ---------------------------------------------------------------------------
# What is registered

# Outcomes of a task: assigned, acknowledged, progress (on time), behind (below the
# milestone due), closure (closure requested), returned, closed, reclosed (closed after
# being returned once).


@dataclass(frozen=True)
class PartPlan:
    unit: str
    title: str
    outcome: str = "progress"


@dataclass(frozen=True)
class TargetPlan:
    chapter: str
    unit: str
    text: str
    indicator: str
    value: str
    outcome: str = "progress"
    co: tuple[str, ...] = ()
    parts: tuple[PartPlan, ...] = ()


TARGETS = [
    TargetPlan(
        "一、稳增长扩内需",
        "fgw",
        "全市固定资产投资增长8%，其中制造业投资增长12%",
        "固定资产投资增速",
        "8%",
        parts=(
            PartPlan("cdq", "城东区固定资产投资增长9%以上"),
            PartPlan("cxq", "城西区固定资产投资增长8%以上", "behind"),
            PartPlan("jbq", "江北区固定资产投资增长15%以上", "closed"),
            PartPlan("jnq", "江南区固定资产投资增长10%以上"),
        ),
    ),
    TargetPlan(
        "一、稳增长扩内需",
        "sw",
        "新增限额以上批发零售和住宿餐饮企业150家",
        "新增限上商贸企业",
        "150家",
        "behind",
    ),
    TargetPlan(
        "二、创新驱动产业升级",
        "gxj",
        "数字经济核心产业增加值增长15%，新建5G基站1500个",
        "数字经济核心产业增加值增速",
        "15%",
        co=("kj",),
    ),
    TargetPlan(
        "二、创新驱动产业升级",
        "kj",
        "新增科技型中小企业300家，技术合同成交额突破80亿元",
        "新增科技型中小企业",
        "300家",
        "closed",
    ),
    TargetPlan(
        "三、城乡融合区域协调",
        "zj",
        "完成城市更新投资150亿元，实施城中村改造5000户",
        "城中村改造户数",
        "5000户",
        parts=(
            PartPlan("jnq", "江南区完成城中村改造3000户"),
            PartPlan("cdq", "城东区完成城中村改造1500户", "closure"),
            PartPlan("jbq", "江北区完成城中村改造500户", "closed"),
        ),
    ),
    TargetPlan(
        "三、城乡融合区域协调",
        "nync",
        "粮食总产量稳定在12亿斤以上，粮食播种面积不低于300万亩",
        "粮食总产量",
        "12亿斤",
        parts=(
            PartPlan("lhx", "临湖县粮食总产量4.5亿斤以上", "closed"),
            PartPlan("qsx", "青山县粮食总产量3.5亿斤以上", "closed"),
            PartPlan("apx", "安平县粮食总产量4亿斤以上", "closure"),
        ),
    ),
    TargetPlan(
        "四、生态环境",
        "sthj",
        "PM2.5平均浓度控制在32微克/立方米以内，国省控断面水质优良比例达到100%",
        "PM2.5平均浓度",
        "32微克/立方米",
        "behind",
        co=("zj", "jt", "cg"),
    ),
    TargetPlan(
        "五、民生保障",
        "rs",
        "新增农村劳动力转移就业2万人，零就业家庭动态清零",
        "农村劳动力转移就业",
        "2万人",
    ),
    TargetPlan(
        "五、民生保障",
        "jy",
        "新增公办幼儿园学位6000个，义务教育学校大班额全部消除",
        "新增公办幼儿园学位",
        "6000个",
        co=("zj", "cz"),
    ),
    TargetPlan(
        "五、民生保障",
        "wj",
        "每千人口拥有3岁以下婴幼儿托位数达到4.5个",
        "每千人口托位数",
        "4.5个",
        co=("mz",),
    ),
]

MILESTONES = [
    (5, 31, 25, "完成年度目标任务的25%"),
    (7, 31, 50, "完成年度目标任务的50%"),
    (9, 30, 75, "完成年度目标任务的75%"),
    (12, 31, 100, "全面完成年度目标任务"),
]


@dataclass(frozen=True)
class InstructionPlan:
    leader: str
    kind: str
    days_ago: int
    reference: str  # {year} is the year of the instruction
    text: str
    unit: str
    co: tuple[str, ...]
    outcome: str


INSTRUCTIONS = [
    InstructionPlan(
        "mayor",
        InstructionKind.DOCUMENT,
        130,
        "市应急局《关于今年以来全市安全生产形势的报告》（市应急〔{year}〕45号）",
        "请市应急局牵头，会同市公安局、市住建局、市交通运输局，针对报告反映的问题逐项建立"
        "整改台账，深入开展安全生产隐患排查整治，坚决遏制较大及以上事故发生。",
        "yj",
        ("ga", "zj", "jt"),
        "closed",
    ),
    InstructionPlan(
        "vmayor2",
        InstructionKind.DOCUMENT,
        90,
        "市住建局《关于既有住宅加装电梯工作推进情况的报告》",
        "加装电梯是群众关心的民生实事。请市住建局牵头，会同城东区、城西区，进一步简化审批"
        "流程，加强协调服务，推动已立项项目尽快开工建设。",
        "zj",
        ("cdq", "cxq"),
        "reclosed",
    ),
    InstructionPlan(
        "mayor",
        InstructionKind.LETTER,
        40,
        "市长信箱来信（市长信箱〔{year}〕第1128号）",
        "群众反映白沙街道农贸市场周边早晚高峰交通拥堵、占道经营问题突出。请市公安局牵头，"
        "市城管局、城西区配合，实地调查核实，提出综合整治方案并抓好落实，及时回复来信人。",
        "ga",
        ("cg", "cxq"),
        "progress",
    ),
    InstructionPlan(
        "vmayor3",
        InstructionKind.FIELD_VISIT,
        6,
        "副市长在临湖县调研乡村振兴产业园建设",
        "临湖县乡村振兴产业园招商进度偏慢、配套设施不足。请临湖县牵头，市农业农村局、"
        "市商务局配合，完善园区水电路配套，加大招商引资力度，尽快形成产业集聚。",
        "lhx",
        ("nync", "sw"),
        "extended",
    ),
    InstructionPlan(
        "vmayor4",
        InstructionKind.LETTER,
        5,
        "家长来信（市长信箱〔{year}〕第1302号）",
        "家长来信反映部分校外培训机构预收费用后停业、退费困难。请市教育局牵头，"
        "市市场监管局配合，核实情况，督促机构依法退费，并加强预收费资金监管。",
        "jy",
        ("scjg",),
        "closure",
    ),
    InstructionPlan(
        "mayor",
        InstructionKind.FIELD_VISIT,
        3,
        "市长在江北新城调研重点项目建设",
        "江北新城滨江片区道路、管网等配套设施建设滞后，要加快补齐短板。请江北区牵头，"
        "市住建局、市水利局配合，倒排工期，确保滨江片区主干路网年内贯通。",
        "jbq",
        ("zj", "sl"),
        "progress",
    ),
]

SUPERIOR = {
    "issuing_body": "省政府第三督查组",
    "title": "省督查组反馈问题整改清单",
    "reference": "省督查组函〔{year}〕17号",
    "days_ago": 75,
}


@dataclass(frozen=True)
class ItemPlan:
    text: str
    unit: str
    co: tuple[str, ...]
    days: int  # after the list was received
    outcome: str


SUPERIOR_ITEMS = [
    ItemPlan(
        "部分惠企政策兑现不及时，涉企专项资金拨付周期较长。请市财政局牵头，市工信局、"
        "市商务局配合，全面清理应兑未兑资金，建立惠企资金直达快享机制。",
        "cz",
        ("gxj", "sw"),
        20,
        "closed",
    ),
    ItemPlan(
        "工程建设项目审批存在“体外循环”“隐性审批”现象。请市住建局牵头，"
        "市自然资源规划局配合，开展专项清理，推动审批事项全部纳入线上平台办理。",
        "zj",
        ("zrzy",),
        45,
        "reclosed",
    ),
    ItemPlan(
        "城区部分黑臭水体整治后出现反弹。请市生态环境局牵头，市住建局、市城管局配合，"
        "开展全面排查，制定“一河一策”长效管护方案。",
        "sthj",
        ("zj", "cg"),
        60,
        "progress",
    ),
    ItemPlan(
        "工程建设领域拖欠农民工工资问题投诉量较大。请市人社局牵头，市住建局、"
        "市交通运输局配合，开展专项整治，做到案结事了、动态清零。",
        "rs",
        ("zj", "jt"),
        120,
        "progress",
    ),
]


@dataclass(frozen=True)
class ProposalPlan:
    kind: str
    number: int
    proposer: str
    category: str
    title: str
    text: str
    unit: str
    co: tuple[str, ...]
    outcome: str  # satisfied, basically_satisfied, dissatisfied, waiting, progress
    reply: str = ""
    note: str = ""
    # None: received shortly after the session; else that many days ago.
    days_ago: int | None = None


PROPOSALS = [
    ProposalPlan(
        ProposalKind.SUGGESTION,
        18,
        "张卫东等5名代表",
        "城乡建设",
        "关于加快城区停车设施建设的建议",
        "老城区停车位缺口大，建议统筹利用边角地、地下空间建设公共停车场，推进机关单位"
        "停车场错时开放。",
        "zj",
        ("zrzy", "ga"),
        Satisfaction.SATISFIED,
        "今年已新建公共停车场12处、新增停车泊位3600个，推动68家机关企事业单位停车场"
        "错时向社会开放，并将智慧停车平台建设列入明年计划。",
        "代表对办理结果表示满意。",
    ),
    ProposalPlan(
        ProposalKind.SUGGESTION,
        56,
        "王丽华代表",
        "农业农村",
        "关于加强农村饮水安全保障的建议",
        "部分偏远村组供水保障能力弱，旱季易出现季节性缺水，建议加快农村供水工程提档升级。",
        "sl",
        ("lhx", "qsx"),
        Satisfaction.BASICALLY_SATISFIED,
        "已将临湖县、青山县12个村组纳入农村供水保障工程，完成管网延伸38公里，"
        "其余村组列入明年实施计划。",
        "代表基本满意，希望加快剩余村组实施进度。",
    ),
    ProposalPlan(
        ProposalKind.SUGGESTION,
        132,
        "刘建国代表",
        "社会治理",
        "关于解决城东区学校周边交通拥堵问题的建议",
        "城东区部分中小学上下学时段周边道路拥堵严重，建议增设临时停车接送区，优化交通组织。",
        "ga",
        ("jy", "cdq"),
        Satisfaction.DISSATISFIED,
        "已在城东区5所学校周边增派警力和护学岗，优化信号灯配时，高峰期拥堵情况有所缓解。",
        "代表认为临时停车接送区尚未落实，拥堵问题没有实质解决，要求进一步办理。",
    ),
    ProposalPlan(
        ProposalKind.PROPOSAL,
        7,
        "民进市委",
        "社会事业",
        "关于推进社区嵌入式养老服务发展的提案",
        "建议将社区嵌入式养老服务设施纳入城市更新统筹建设，完善运营补贴政策。",
        "mz",
        ("zj", "cz"),
        Satisfaction.SATISFIED,
        "已出台社区嵌入式养老服务设施建设运营补贴办法，今年新建社区养老服务中心30个，"
        "并在老旧小区改造中同步配建养老服务用房。",
        "提案单位对办理结果表示满意。",
    ),
    ProposalPlan(
        ProposalKind.PROPOSAL,
        45,
        "陈晓燕委员",
        "经济科技",
        "关于加大科技型中小企业金融支持力度的提案",
        "科技型中小企业轻资产、融资难，建议设立科技信贷风险补偿资金池，推广知识产权质押融资。",
        "kj",
        ("cz",),
        "waiting",
        "市财政已安排科技信贷风险补偿资金5000万元，与8家银行合作推出“科创贷”产品，"
        "累计为126家科技型中小企业发放贷款9.3亿元。",
    ),
    ProposalPlan(
        ProposalKind.PROPOSAL,
        88,
        "周志强委员",
        "城乡建设",
        "关于提升城市公共厕所管理服务水平的提案",
        "建议推进公厕智慧化管理，延长开放时间，引导沿街单位厕所对外开放。",
        "cg",
        ("zj",),
        "progress",
        days_ago=35,
    ),
]

TARGET_PROGRESS = [
    "已制定年度工作方案，将目标任务分解到各责任单位，累计完成年度目标的{pct}%。",
    "按月调度推进，累计完成年度目标的{pct}%，总体进度符合时序进度要求。",
    "重点项目和工作抓手已全部落实，累计完成年度目标的{pct}%。",
]
TARGET_BEHIND = [
    "受市场需求偏弱影响，累计完成年度目标的{pct}%，低于时序进度，已制定追赶措施。",
    "受项目开工滞后影响，累计完成年度目标的{pct}%，进度滞后，正在倒排工期、加快推进。",
]
TARGET_DONE = "年度目标任务已全面完成，经统计部门核实，相关佐证材料附后。"
WORK_PROGRESS = [
    "已召开专题会议研究部署，制定工作方案，明确责任科室和完成时限，目前完成约{pct}%。",
    "已完成现场调查核实，梳理问题清单{n}项，已整改{m}项，其余正在推进，完成约{pct}%。",
    "已会同相关单位对接会商，形成整改方案并组织实施，完成约{pct}%。",
]
WORK_DONE = [
    "已按交办要求全部办理完毕，相关佐证材料已整理归档。",
    "各项整改措施已落实到位，并建立长效机制，办结报告及佐证材料附后。",
]
RETURN_REASONS = [
    "佐证材料不全，请补充整改前后对比照片和验收资料后重新申请办结。",
    "办结报告未经单位主要负责同志签字确认，请完善后重新报送。",
]
CLOSE_NOTES = [
    "经核查，佐证材料齐全，同意销号。",
    "经实地核查，整改到位，予以销号。",
    "审核通过，办结销号。",
]


@dataclass
class Created:
    reports: int = 0
    targets: int = 0
    parts: int = 0
    instructions: int = 0
    assignments: int = 0
    items: int = 0
    proposals: int = 0
    tasks: list[int] = field(default_factory=list)

    @property
    def anything(self) -> bool:
        return bool(self.reports or self.instructions or self.assignments or self.proposals)


class Command(BaseCommand):
    help = (
        "Add the demo city's work report targets, leader instructions, assignments from above "
        "and deputies' proposals (run seed_demo first), assigned and carried out in part. "
        "Safe to run again."
    )

    def handle(self, *args, **options):
        self.rng = random.Random(SEED)
        self.today = timezone.localdate()
        # This year's report once its session is well behind us; before May, last year's.
        self.year = self.today.year
        if self.today < datetime.date(self.year, 5, 1):
            self.year -= 1
        self.session_end = self.workday_on_or_before(datetime.date(self.year, 3, 12))
        self.created = Created()
        with transaction.atomic():
            self.units, self.people = self.load_city()
            self.slug_of = {unit.pk: slug for slug, unit in self.units.items()}
            self.leader_of = {
                slug: self.people[username]
                for username, slugs in PORTFOLIOS.items()
                for slug in slugs
            }
            self.make_work_report()
            self.make_instructions()
            self.make_superior_assignment()
            self.make_proposals()
        with translation.override(settings.LANGUAGE_CODE):
            self.report()

    # -- the city seed_demo built ------------------------------------------

    def load_city(self) -> tuple[dict[str, Unit], dict[str, object]]:
        names = {name: slug for slug, name, *_rest in UNITS}
        units = {names[unit.name]: unit for unit in Unit.objects.filter(name__in=names)}
        slugs = {plan.unit for plan in TARGETS}
        slugs |= {part.unit for plan in TARGETS for part in plan.parts}
        slugs |= {plan.unit for plan in [*INSTRUCTIONS, *SUPERIOR_ITEMS, *PROPOSALS]}
        usernames = {"office", "director", "mayor", *PORTFOLIOS}
        usernames |= {f"{slug}_head" for slug in slugs}
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

    def people_for(self, slug: str, co: tuple[str, ...] = ()) -> UnitsAndPeople:
        return UnitsAndPeople(
            lead_unit=self.units[slug],
            co_units=[self.units[other] for other in co],
            lead_leader=self.leader_of.get(slug),
            owner=self.people[f"{slug}_head"],
        )

    # -- dates -------------------------------------------------------------

    @staticmethod
    def workday_on_or_before(day: datetime.date) -> datetime.date:
        while not workdays.is_workday(day):
            day -= ONE_DAY
        return day

    def ago(self, days: int) -> datetime.date:
        return self.workday_on_or_before(self.today - days * ONE_DAY)

    def next_workday(self, day: datetime.date, n: int = 1) -> datetime.date:
        return min(workdays.add_workdays(day, n), self.today)

    # -- the work report ---------------------------------------------------

    def make_work_report(self) -> None:
        title = f"{self.year}年政府工作报告"
        if WorkReport.objects.filter(year=self.year, title=title).exists():
            return
        office = self.people["office"]
        report = sources.work_report_create(
            by=office, year=self.year, title=title, session_ended_on=self.session_end
        )
        milestones = [
            (datetime.date(self.year, month, day), percent, text)
            for month, day, percent, text in MILESTONES
        ]
        targets = []
        for plan in TARGETS:
            target = sources.target_create(
                report=report,
                by=office,
                text=plan.text,
                people=self.people_for(plan.unit, plan.co),
                chapter=plan.chapter,
                indicator=plan.indicator,
                target_value=plan.value,
                milestones=milestones,
            )
            children = []
            if plan.parts:
                children = sources.target_split(
                    target=target,
                    by=office,
                    parts=[
                        Part(
                            lead_unit=self.units[part.unit],
                            deadline=datetime.date(self.year, 12, 20),
                            title=part.title,
                            requirement=f"分解落实{report.title}“{plan.text}”目标任务："
                            f"{part.title}，按月报送进展。",
                        )
                        for part in plan.parts
                    ],
                )
            targets.append((plan, target, children))
        assigned_on = self.next_workday(self.session_end, 3)
        assigned = sources.work_report_assign(report=report, by=office, assigned_on=assigned_on)
        self.created.reports += 1
        self.created.targets += len(targets)
        self.created.parts += sum(len(children) for _plan, _target, children in targets)
        self.created.tasks += [task.pk for task in assigned]

        # Early in the next year the year's work is done, or waiting to be struck off.
        year_over = {"progress": "closed", "behind": "closure"}
        if self.today <= report.default_deadline:
            year_over = {}
        for plan, target, children in targets:
            for part, child in zip(plan.parts, children, strict=True):
                outcome = year_over.get(part.outcome, part.outcome)
                self.carry_out(child, outcome, work_report=True)
            outcome = year_over.get(plan.outcome, plan.outcome)
            self.carry_out(Task.objects.get(pk=target.task_id), outcome, work_report=True)

    # -- leader instructions -----------------------------------------------

    def make_instructions(self) -> None:
        office = self.people["office"]
        for plan in sorted(INSTRUCTIONS, key=lambda plan: -plan.days_ago):
            if Instruction.objects.filter(text=plan.text).exists():
                continue
            issued_on = self.ago(plan.days_ago)
            instruction = sources.instruction_create(
                by=office,
                leader=self.people[plan.leader],
                issued_on=issued_on,
                kind=plan.kind,
                text=plan.text,
                reference=plan.reference.format(year=issued_on.year),
                people=self.people_for(plan.unit, plan.co),
            )
            [task] = sources.instruction_assign(
                instruction=instruction, by=office, assigned_on=self.next_workday(issued_on)
            )
            self.created.instructions += 1
            self.created.tasks.append(task.pk)
            self.carry_out(task, plan.outcome)

    # -- assignments from above --------------------------------------------

    def make_superior_assignment(self) -> None:
        body, title = SUPERIOR["issuing_body"], SUPERIOR["title"]
        if SuperiorAssignment.objects.filter(issuing_body=body, title=title).exists():
            return
        office = self.people["office"]
        received_on = self.ago(SUPERIOR["days_ago"])
        assignment = sources.superior_assignment_create(
            by=office,
            issuing_body=body,
            title=title,
            reference=SUPERIOR["reference"].format(year=received_on.year),
            received_on=received_on,
            items=[
                Item(
                    text=plan.text,
                    people=self.people_for(plan.unit, plan.co),
                    deadline=received_on + plan.days * ONE_DAY,
                )
                for plan in SUPERIOR_ITEMS
            ],
        )
        sources.superior_assignment_assign(
            assignment=assignment, by=office, assigned_on=self.next_workday(received_on)
        )
        self.created.assignments += 1
        self.created.items += len(SUPERIOR_ITEMS)
        for plan, item in zip(SUPERIOR_ITEMS, assignment.items.order_by("number"), strict=True):
            self.created.tasks.append(item.task_id)
            self.carry_out(Task.objects.get(pk=item.task_id), plan.outcome)

    # -- suggestions and proposals -----------------------------------------

    def make_proposals(self) -> None:
        office = self.people["office"]
        for plan in PROPOSALS:
            if plan.days_ago is None:
                received_on = self.workday_on_or_before(self.session_end + 8 * ONE_DAY)
            else:
                received_on = self.ago(plan.days_ago)
            year = self.year
            if Proposal.objects.filter(year=year, kind=plan.kind, number=plan.number).exists():
                continue
            proposal = sources.proposal_create(
                by=office,
                kind=plan.kind,
                year=year,
                number=plan.number,
                proposer=plan.proposer,
                title=plan.title,
                text=plan.text,
                category=plan.category,
                received_on=received_on,
                people=self.people_for(plan.unit, plan.co),
            )
            [task] = sources.proposal_assign(
                proposal=proposal, by=office, assigned_on=self.next_workday(received_on, 3)
            )
            self.created.proposals += 1
            self.created.tasks.append(task.pk)
            if plan.outcome == "progress":
                self.carry_out(task, "progress")
                continue
            self.carry_out(task, "closed", summary=f"已书面答复{plan.proposer}，申请办结。")
            task.refresh_from_db()
            replied_on = task.deadline - self.rng.randint(5, 25) * ONE_DAY
            replied_on = max(min(replied_on, self.today - ONE_DAY), task.assigned_on)
            sources.proposal_reply_record(
                proposal=proposal,
                by=office,
                text=f"{plan.proposer}：{_you(plan.proposer)}提出的《{plan.title}》收悉。"
                f"经认真研究，现答复如下：{plan.reply}"
                f"感谢{_you(plan.proposer)}对政府工作的关心和支持。",
                replied_on=replied_on,
            )
            if plan.outcome == "waiting":
                continue
            reopen_by = None
            if plan.outcome == Satisfaction.DISSATISFIED:
                reopen_by = workdays.add_workdays(self.today, 20)
            sources.proposal_satisfaction_record(
                proposal=proposal,
                by=office,
                satisfaction=plan.outcome,
                note=plan.note,
                deadline=reopen_by,
            )
            if reopen_by is not None:
                services.task_report_progress(
                    task=task,
                    by=self.head_of(task),
                    percent=30,
                    text="已与代表当面沟通，会同市教育局、城东区实地查看，正在研究在学校周边"
                    "增设临时停车接送区，二次办理结果将按期答复代表。",
                )

    # -- carrying tasks out ------------------------------------------------

    def head_of(self, task: Task):
        return self.people[f"{self.slug_of[task.lead_unit_id]}_head"]

    def carry_out(
        self, task: Task, outcome: str, *, work_report: bool = False, summary: str = ""
    ) -> None:
        rng, head, office = self.rng, self.head_of(task), self.people["office"]
        if outcome == "assigned":
            return
        services.task_acknowledge(task=task, by=head)
        if outcome == "acknowledged":
            return
        if outcome in {"progress", "behind", "extended"}:
            final = self.percent_now(task, outcome)
            self.report_series(task, head, final, work_report, behind=outcome == "behind")
            task.refresh_from_db()
            if outcome == "extended" and task.deadline >= self.today:
                request = services.task_request_extension(
                    task=task,
                    by=head,
                    proposed_deadline=task.deadline + 30 * ONE_DAY,
                    reason="园区供电、供水配套工程需与供电公司、水务集团协调，施工周期较长，"
                    "申请延期一个月办结。",
                )
                services.task_decide_extension(
                    request=request,
                    by=task.lead_leader,
                    approve=True,
                    note="同意延期，请抓紧推进，按期报送办理结果。",
                )
            return
        self.report_series(task, head, 100, work_report, behind=False)
        self.request_closure(task, head, summary)
        if outcome == "closure":
            return
        if outcome in {"returned", "reclosed"}:
            services.task_return(task=task, by=office, reason=rng.choice(RETURN_REASONS))
            if outcome == "returned":
                return
            services.task_report_progress(
                task=task, by=head, percent=100, text="已按退回意见补充完善佐证材料。"
            )
            self.request_closure(task, head, summary)
        closer = office if rng.random() < 0.85 else self.people["director"]
        services.task_close(task=task, by=closer, note=rng.choice(CLOSE_NOTES))

    def request_closure(self, task: Task, head, summary: str) -> None:
        services.task_request_closure(
            task=task,
            by=head,
            summary=summary or f"“{task.title}”已按交办要求办理完毕，佐证材料已上传，申请销号。",
        )

    def percent_now(self, task: Task, outcome: str) -> int:
        """How far the task has come by today: on time, or behind its milestone (or, with
        no milestones, the time gone by)."""
        task.refresh_from_db()
        span = max((task.deadline - task.assigned_on).days, 1)
        elapsed = round((self.today - task.assigned_on).days / span * 100)
        due = max(
            (
                m.percent or 0
                for m in task.milestones.all()
                if m.planned_on <= self.today and m.percent
            ),
            default=0,
        )
        if self.today > task.deadline:
            return _round5(self.rng.randint(55, 80))
        if outcome == "behind":
            return max(10, _round5(min(due or elapsed, elapsed) - self.rng.randint(15, 25)))
        return min(95, max(due, _round5(elapsed + self.rng.randint(0, 10)), 20))

    def report_series(self, task: Task, by, final: int, work_report: bool, *, behind: bool) -> None:
        rng = self.rng
        milestones = list(Milestone.objects.filter(task=task).order_by("planned_on"))
        steps = [m.percent for m in milestones if m.percent and m.percent < final]
        if not steps and final < 100:
            steps = [_round5(final / 2)] if final >= 40 else []
        percents = sorted({*steps, final})
        linked: set[int] = set()
        for i, percent in enumerate(percents):
            last = i == len(percents) - 1
            if work_report:
                if percent == 100:
                    text = TARGET_DONE
                elif last and behind:
                    text = rng.choice(TARGET_BEHIND)
                else:
                    text = rng.choice(TARGET_PROGRESS)
            else:
                text = rng.choice(WORK_DONE) if percent == 100 else rng.choice(WORK_PROGRESS)
            n = rng.randint(3, 12)
            text = text.format(pct=percent, n=n, m=max(1, round(n * percent / 100)))
            reached = [m for m in milestones if (m.percent or 0) <= percent and m.pk not in linked]
            milestone = reached[-1] if reached else None
            linked.update(m.pk for m in reached)
            services.task_report_progress(
                task=task, by=by, text=text, percent=percent, milestone=milestone
            )

    # -- the summary -------------------------------------------------------

    def report(self) -> None:
        write, c = self.stdout.write, self.created
        if c.anything:
            write(
                self.style.SUCCESS(
                    f"督办来源演示数据已生成：政府工作报告 {c.reports} 个"
                    f"（目标任务 {c.targets} 项、分解子任务 {c.parts} 项）、"
                    f"领导批示 {c.instructions} 件、"
                    f"上级交办 {c.assignments} 件（{c.items} 项）、"
                    f"建议提案 {c.proposals} 件，交办督办事项 {len(c.tasks)} 件。"
                )
            )
        else:
            write(self.style.SUCCESS("督办来源演示数据已存在，未做任何改动。"))
        tasks = Task.objects.filter(
            Q(work_report_target__isnull=False)
            | Q(parent__work_report_target__isnull=False)
            | Q(instruction__isnull=False)
            | Q(assignment_item__isnull=False)
            | Q(proposal__isnull=False)
        )
        states = Counter(tasks.values_list("state", flat=True))
        write(
            f"现有政府工作报告 {WorkReport.objects.count()} 个、领导批示 "
            f"{Instruction.objects.count()} 件、上级交办 {SuperiorAssignment.objects.count()} 件、"
            f"建议提案 {Proposal.objects.count()} 件，其督办事项 {tasks.count()} 件："
        )
        write(
            "  "
            + "，".join(
                f"{TaskState(state).label} {count}"
                for state, count in sorted(states.items(), key=lambda row: -row[1])
            )
        )
        overdue = tasks.open().filter(deadline__lt=self.today).count()
        satisfaction = Counter(
            ProposalReply.objects.exclude(satisfaction="").values_list("satisfaction", flat=True)
        )
        write(
            f"  逾期未办结 {overdue} 件；建议提案答复满意度："
            + "，".join(
                f"{Satisfaction(value).label} {satisfaction.get(value, 0)}"
                for value in Satisfaction.values
            )
        )


def _round5(value: float) -> int:
    return max(0, min(100, int(round(value / 5.0)) * 5))


def _you(proposer: str) -> str:
    """How a reply addresses its proposer: one deputy, several, or a party committee."""
    if proposer.endswith("市委"):
        return "贵单位"
    return "你们" if "等" in proposer else "您"
