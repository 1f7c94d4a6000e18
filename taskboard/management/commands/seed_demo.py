"""`manage.py seed_demo`: a believable prefecture-level city to look around in.

Builds the city government's units, the people of the supervision office, the leaders, and a
head (and for some units a liaison) of every department and district, then about 150
tasks in every state. Every task goes through the services in `taskboard.services`, acting
as the person who would really do each step, so each one has a real timeline.

The data comes from a fixed random seed and dates relative to today. Running the command
again changes nothing: units and people are looked up by name, and a task whose title
already exists is skipped.
"""

from __future__ import annotations

import datetime
import random
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone, translation

from taskboard import services, workdays
from taskboard.choices import (
    OPEN_STATES,
    DeadlineSource,
    DueState,
    ExtensionStatus,
    FeedbackCadence,
    Role,
    TaskOrigin,
    TaskState,
    UnitKind,
)
from taskboard.models import DeadlineRule, ExtensionRequest, Milestone, Profile, Task, Unit

User = get_user_model()

DEMO_PASSWORD = "demo-pass-2026"
SEED = 2026
ONE_DAY = datetime.timedelta(days=1)
OLDEST_ASSIGNMENT_DAYS = 320

# ---------------------------------------------------------------------------
# The city

# slug, name, short name, kind, parent slug, head's title
UNITS: list[tuple[str, str, str, str, str | None, str | None]] = [
    ("office", "市人民政府办公室", "市政府办", UnitKind.OFFICE, None, None),
    ("fgw", "市发展和改革委员会", "市发改委", UnitKind.DEPARTMENT, None, "主任"),
    ("jy", "市教育局", "市教育局", UnitKind.DEPARTMENT, None, "局长"),
    ("kj", "市科学技术局", "市科技局", UnitKind.DEPARTMENT, None, "局长"),
    ("gxj", "市工业和信息化局", "市工信局", UnitKind.DEPARTMENT, None, "局长"),
    ("ga", "市公安局", "市公安局", UnitKind.DEPARTMENT, None, "局长"),
    ("mz", "市民政局", "市民政局", UnitKind.DEPARTMENT, None, "局长"),
    ("cz", "市财政局", "市财政局", UnitKind.DEPARTMENT, None, "局长"),
    ("rs", "市人力资源和社会保障局", "市人社局", UnitKind.DEPARTMENT, None, "局长"),
    ("zrzy", "市自然资源和规划局", "市自然资源规划局", UnitKind.DEPARTMENT, None, "局长"),
    ("sthj", "市生态环境局", "市生态环境局", UnitKind.DEPARTMENT, None, "局长"),
    ("zj", "市住房和城乡建设局", "市住建局", UnitKind.DEPARTMENT, None, "局长"),
    ("jt", "市交通运输局", "市交通运输局", UnitKind.DEPARTMENT, None, "局长"),
    ("sl", "市水利局", "市水利局", UnitKind.DEPARTMENT, None, "局长"),
    ("nync", "市农业农村局", "市农业农村局", UnitKind.DEPARTMENT, None, "局长"),
    ("sw", "市商务局", "市商务局", UnitKind.DEPARTMENT, None, "局长"),
    ("wl", "市文化和旅游局", "市文旅局", UnitKind.DEPARTMENT, None, "局长"),
    ("wj", "市卫生健康委员会", "市卫健委", UnitKind.DEPARTMENT, None, "主任"),
    ("yj", "市应急管理局", "市应急局", UnitKind.DEPARTMENT, None, "局长"),
    ("sj", "市审计局", "市审计局", UnitKind.DEPARTMENT, None, "局长"),
    ("scjg", "市市场监督管理局", "市市场监管局", UnitKind.DEPARTMENT, None, "局长"),
    ("tj", "市统计局", "市统计局", UnitKind.DEPARTMENT, None, "局长"),
    ("cg", "市城市管理局", "市城管局", UnitKind.DEPARTMENT, None, "局长"),
    ("cdq", "城东区人民政府", "城东区", UnitKind.DISTRICT, None, "区长"),
    ("cxq", "城西区人民政府", "城西区", UnitKind.DISTRICT, None, "区长"),
    ("jbq", "江北区人民政府", "江北区", UnitKind.DISTRICT, None, "区长"),
    ("jnq", "江南区人民政府", "江南区", UnitKind.DISTRICT, None, "区长"),
    ("lhx", "临湖县人民政府", "临湖县", UnitKind.DISTRICT, None, "县长"),
    ("qsx", "青山县人民政府", "青山县", UnitKind.DISTRICT, None, "县长"),
    ("apx", "安平县人民政府", "安平县", UnitKind.DISTRICT, None, "县长"),
    ("yxs", "云溪市人民政府", "云溪市", UnitKind.DISTRICT, None, "市长"),
    ("dhjd", "城东区东湖街道办事处", "东湖街道", UnitKind.TOWNSHIP, "cdq", None),
    ("bsjd", "城西区白沙街道办事处", "白沙街道", UnitKind.TOWNSHIP, "cxq", None),
    ("smz", "临湖县石门镇人民政府", "石门镇", UnitKind.TOWNSHIP, "lhx", None),
    ("lxx", "青山县柳溪乡人民政府", "柳溪乡", UnitKind.TOWNSHIP, "qsx", None),
    ("xqz", "安平县新桥镇人民政府", "新桥镇", UnitKind.TOWNSHIP, "apx", None),
    ("tzrz", "市投融资领导小组办公室", "市投融资办", UnitKind.SPECIAL_BODY, None, None),
    ("gwh", "市规划委员会办公室", "市规委办", UnitKind.SPECIAL_BODY, None, None),
    ("zdxm", "市重点项目建设指挥部办公室", "市重点办", UnitKind.SPECIAL_BODY, None, None),
    ("zzb", "市委组织部", "市委组织部", UnitKind.OVERSIGHT, None, None),
    ("jcj", "市监察局", "市监察局", UnitKind.OVERSIGHT, None, None),
    ("zfb", "市作风办", "市作风办", UnitKind.OVERSIGHT, None, None),
]

# Units that have named a liaison (联络员) for supervision work besides their head.
LIAISONS = {"fgw", "jy", "cz", "zj", "jt", "sthj", "wj", "nync", "sw", "cg", "cdq", "jnq", "lhx"}

# The four vice mayors' portfolios (分管/联系): every department and district once.
PORTFOLIOS = {
    "vmayor1": ["fgw", "cz", "sj", "tj", "sw", "rs", "cdq", "cxq"],
    "vmayor2": ["zj", "jt", "zrzy", "cg", "sthj", "sl", "jbq", "jnq"],
    "vmayor3": ["gxj", "kj", "nync", "scjg", "yj", "lhx", "qsx"],
    "vmayor4": ["jy", "wj", "mz", "wl", "ga", "apx", "yxs"],
}

# What each unit works on: subjects for meeting decisions, instructions and proposals.
TOPICS: dict[str, list[str]] = {
    "fgw": [
        "重大项目前期工作",
        "社会信用体系建设",
        "以工代赈项目实施",
        "成品油价格监测",
        "服务业扩大开放试点",
    ],
    "jy": [
        "城区义务教育学位扩容",
        "中小学课后服务",
        "普惠性幼儿园建设",
        "校园食品安全管理",
        "职业教育产教融合",
    ],
    "kj": ["高新技术企业培育", "科技成果转化", "科技型中小企业评价入库", "市级创新平台建设"],
    "gxj": [
        "规上工业企业培育",
        "工业企业技术改造",
        "5G基站建设",
        "中小企业纾困解难",
        "制造业数字化转型",
    ],
    "ga": ["电信网络诈骗治理", "城区交通秩序整治", "户籍制度改革", "校园周边治安防控"],
    "mz": ["社区嵌入式养老服务", "困难群众救助", "殡葬领域突出问题整治", "社区综合服务设施建设"],
    "cz": ["财政收入组织", "政府债务风险化解", "预算绩效管理", "惠企资金直达快享"],
    "rs": ["高校毕业生就业", "农民工工资清欠", "职业技能提升培训", "社会保险扩面征缴"],
    "zrzy": [
        "国土空间总体规划编制",
        "耕地保护和违法占地整治",
        "不动产登记便民改革",
        "批而未供土地处置",
    ],
    "sthj": ["中心城区大气污染防治", "黑臭水体整治", "工业园区污水集中处理", "重点排污单位监管"],
    "zj": [
        "老旧小区改造",
        "城市更新项目推进",
        "保障性租赁住房筹建",
        "既有住宅加装电梯",
        "建筑工地扬尘治理",
    ],
    "jt": ["农村公路提质改造", "城市公交线网优化", "高速公路互通建设", "出租车行业规范整治"],
    "sl": ["防汛备汛", "病险水库除险加固", "农村饮水安全保障", "河湖长制落实"],
    "nync": ["高标准农田建设", "农村人居环境整治", "秋粮收购和冬种生产", "乡村振兴示范村创建"],
    "sw": ["外贸稳增长", "促消费活动组织", "招商引资项目落地", "夜间经济集聚区建设"],
    "wl": ["全域旅游示范区创建", "文物安全保护", "公共文化服务体系建设", "A级景区提质升级"],
    "wj": ["紧密型医共体建设", "公立医院高质量发展", "乡镇卫生院标准化建设", "传染病监测预警"],
    "yj": ["安全生产治本攻坚", "森林防灭火", "危险化学品企业隐患排查", "应急物资储备"],
    "sj": ["审计发现问题整改", "政府投资项目跟踪审计", "领导干部经济责任审计"],
    "scjg": ["食品安全示范城市创建", "特种设备安全监管", "电梯安全隐患治理", "预付式消费监管"],
    "tj": ["统计数据质量提升", "第五次全国经济普查后续工作", "规上企业应统尽统"],
    "cg": ["生活垃圾分类", "占道经营整治", "背街小巷改造提升", "城市照明设施维护"],
    "cdq": ["老城片区房屋征收", "东湖片区综合开发", "农贸市场提质改造"],
    "cxq": ["西站片区综合整治", "城西工业园标准厂房建设", "社区居家养老服务"],
    "jbq": ["江北新城基础设施建设", "滨江绿道贯通", "违法建设拆除"],
    "jnq": ["江南商务区建设", "城中村改造", "安置房建设交付"],
    "lhx": ["临湖湿地生态保护", "县城污水管网改造", "乡村振兴产业园建设"],
    "qsx": ["废弃矿山生态修复", "茶产业提质增效", "易地搬迁后续扶持"],
    "apx": ["安平工业园扩区", "县人民医院新院区建设", "农村客运公交化改造"],
    "yxs": ["云溪古镇旅游开发", "高铁站片区开发", "县域商业体系建设"],
}

# Targets decomposed from the government work report (两报告): unit, title.
WORK_REPORT_TARGETS = [
    ("zj", "推进城市更新项目年度投资完成率达到90%"),
    ("zj", "完成老旧小区改造120个、惠及居民1.8万户"),
    ("fgw", "实施省市重点项目200个，年度完成投资500亿元"),
    ("fgw", "地区生产总值增长6%左右"),
    ("cz", "一般公共预算收入增长5%"),
    ("gxj", "规模以上工业增加值增长7%"),
    ("gxj", "新增规模以上工业企业80家"),
    ("kj", "高新技术企业净增50家，全社会研发投入增长12%"),
    ("sw", "实际使用外资增长10%，引进世界500强企业项目5个"),
    ("sw", "社会消费品零售总额增长6.5%"),
    ("rs", "城镇新增就业3.5万人，城镇调查失业率控制在5.5%以内"),
    ("jy", "新建改扩建中小学和幼儿园20所，新增学位1.2万个"),
    ("wj", "建成紧密型县域医共体8个，县域内就诊率达到90%"),
    ("nync", "新建高标准农田15万亩"),
    ("nync", "粮食播种面积稳定在300万亩以上"),
    ("sthj", "中心城区空气质量优良天数比例达到90%"),
    ("jt", "完成农村公路提质改造500公里"),
    ("mz", "新建社区嵌入式养老服务中心30个"),
    ("cg", "城区生活垃圾分类覆盖率达到95%"),
    ("zrzy", "批而未供土地处置率达到30%"),
    ("sl", "完成病险水库除险加固12座"),
    ("wl", "全年接待游客人次增长12%，旅游总收入增长15%"),
    ("jbq", "江北新城完成固定资产投资80亿元"),
    ("yxs", "云溪市县域经济综合实力进入全省前30位"),
]

# Practical matters for the people and key projects, publicly listed: unit, title, co-units.
KEY_PROJECTS = [
    ("zj", "为民办实事：既有住宅加装电梯200台", ["cdq", "cxq"]),
    ("mz", "为民办实事：新建社区老年食堂50个", ["cdq", "jnq"]),
    ("jy", "为民办实事：中小学教室照明改造全覆盖", ["cz"]),
    ("wj", "为民办实事：为65岁以上老年人免费健康体检", []),
    ("jt", "为民办实事：新开和优化城区公交线路10条", []),
    ("cg", "为民办实事：新建改造城市公共厕所80座", ["zj"]),
    ("ga", "为民办实事：中小学校园“一键报警”全覆盖", ["jy"]),
    ("sl", "为民办实事：农村供水保障工程惠及10万人", ["lhx", "qsx"]),
    ("rs", "为民办实事：开展职业技能培训3万人次", []),
    ("scjg", "为民办实事：建成“放心消费”示范街区10条", ["sw"]),
    ("jbq", "重点项目：江北新城滨江绿道一期工程", ["zj", "sl"]),
    ("wj", "重点项目：市第一人民医院新院区建设", ["zj", "zrzy"]),
    ("yxs", "重点项目：云溪高铁站片区综合交通枢纽", ["jt"]),
    ("sthj", "重点项目：城东污水处理厂提标改造工程", ["zj", "cdq"]),
    ("apx", "重点项目：安平工业园标准厂房二期", ["gxj"]),
    ("qsx", "重点项目：青山县废弃矿山生态修复工程", ["zrzy", "sthj"]),
]

# Citizens' letters the mayor wrote an instruction on: unit, title, co-units.
LETTERS = [
    ("zj", "办理市长关于锦华苑小区居民反映加装电梯推进缓慢来信的批示", ["cdq"]),
    ("jt", "办理市长关于群众反映7路公交车班次过少来信的批示", []),
    ("jy", "办理市长关于家长反映城东区小学学位紧张来信的批示", ["cdq"]),
    ("sthj", "办理市长关于群众反映化工园区夜间异味扰民来信的批示", ["cxq"]),
    ("rs", "办理市长关于农民工反映工程款拖欠来信的批示", ["zj"]),
    ("cg", "办理市长关于市民反映滨江路夜市占道经营来信的批示", ["jbq"]),
    ("wj", "办理市长关于群众反映社区卫生服务中心就诊难来信的批示", []),
    ("scjg", "办理市长关于消费者反映健身房预付卡退费难来信的批示", []),
    ("mz", "办理市长关于老人反映社区助餐点停办来信的批示", ["dhjd"]),
    ("zrzy", "办理市长关于购房户反映不动产权证办理难来信的批示", ["zj"]),
    ("sl", "办理市长关于村民反映石门镇饮用水水质不达标来信的批示", ["lhx", "smz"]),
    ("jnq", "办理市长关于群众反映城中村改造安置房交付延期来信的批示", ["zj"]),
    ("apx", "办理市长关于企业反映安平工业园用电报装慢来信的批示", ["gxj"]),
]

# How long each kind of source usually gives for the work (calendar days, assigned→deadline).
DURATIONS = {
    DeadlineSource.WORK_REPORT: (200, 290),
    DeadlineSource.PLENARY_MEETING: (30, 60),
    DeadlineSource.EXECUTIVE_MEETING: (15, 45),
    DeadlineSource.OFFICE_MEETING: (7, 30),
    DeadlineSource.TOPIC_MEETING: (7, 30),
    DeadlineSource.WEEKLY_MEETING: (7, 14),
    DeadlineSource.PARTY_MEETING: (30, 60),
    DeadlineSource.SPECIAL_BODY: (7, 30),
    DeadlineSource.PRINCIPAL_INSTRUCTION: (7, 20),
    DeadlineSource.PORTFOLIO_INSTRUCTION: (7, 20),
    DeadlineSource.SUPERIOR: (15, 60),
    DeadlineSource.PROPOSAL: (60, 90),
    DeadlineSource.KEY_PROJECT: (120, 240),
    "": (10, 30),
}

# How many tasks end in each scenario (150 in all).
SCENARIOS = {
    "draft": 8,
    "assigned_fresh": 6,
    "assigned_overdue": 6,
    "acknowledged": 9,
    "progress": 22,
    "due_soon": 8,
    "overdue": 14,
    "behind": 6,
    "extension_approved": 5,
    "extension_rejected": 2,
    "extension_pending": 3,
    "closure_requested": 10,
    "returned": 7,
    "closed": 26,
    "closed_after_return": 5,
    "suspended": 5,
    "resumed": 2,
    "cancelled_draft": 2,
    "cancelled_open": 4,
}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余"
    "杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金贾夏方邹熊白孟秦邱侯江尹薛段雷龙黎史陶"
    "贺毛郝顾龚邵万武钱戴严莫孔向常"
)
GIVEN_NAMES = [
    "建国",
    "志强",
    "晓燕",
    "海涛",
    "丽华",
    "国平",
    "文斌",
    "红梅",
    "振华",
    "卫东",
    "秀英",
    "明辉",
    "春生",
    "玉兰",
    "立新",
    "德胜",
    "小军",
    "静怡",
    "宏伟",
    "建军",
    "桂芳",
    "永红",
    "俊杰",
    "雪梅",
    "学军",
    "海燕",
    "志刚",
    "淑珍",
    "宇航",
    "晨曦",
    "家豪",
    "雅琴",
    "庆丰",
    "敏",
    "磊",
    "勇",
    "军",
    "静",
    "涛",
    "芳",
    "伟",
    "婷",
    "强",
    "洁",
    "鹏",
    "慧",
    "峰",
    "颖",
    "斌",
    "琳",
    "卫国",
    "新民",
    "光辉",
    "素梅",
    "玉珍",
    "国华",
    "晓东",
    "文静",
    "思远",
    "子涵",
]

PROGRESS_OPENERS = [
    "已召开专题会议研究部署，制定工作方案，明确责任科室、责任人和完成时限。",
    "已完成现场调研摸底，梳理问题清单{n}项，建立台账逐项推进。",
    "已与{co}等单位对接会商，形成初步处理意见，报分管领导审定。",
    "已印发实施方案，将任务分解到{n}个责任科室和相关乡镇（街道）。",
]
PROGRESS_MIDDLES = [
    "目前已完成{pct}%，{n}项具体措施已落实到位，其余正在推进中。",
    "项目已完成招投标，施工单位已进场，累计完成工程量约{pct}%。",
    "已完成年度目标任务的{pct}%，总体进度符合时序进度要求。",
    "已整改到位{n}项，剩余问题已明确整改措施和时限，完成约{pct}%。",
    "已完成资金拨付和设备采购，正在组织实施，完成约{pct}%。",
]
PROGRESS_BEHIND = [
    "受征地拆迁协调影响，进度滞后于时序计划，目前完成{pct}%，已提请分管领导协调。",
    "受资金拨付进度影响，目前完成{pct}%，未达到时序进度，已商请财政部门加快拨付。",
    "因施工图审查延误，目前完成{pct}%，进度滞后，正在倒排工期、挂图作战追赶进度。",
]
PROGRESS_DONE = [
    "已按交办要求全部完成，相关佐证材料已整理归档。",
    "各项任务已全部落实，已组织验收并向当事群众反馈办理结果，群众表示满意。",
    "工作目标已全面完成，形成长效管理机制，佐证材料附后。",
]
RETURN_REASONS = [
    "佐证材料不全，请补充验收报告和现场照片后重新申请办结。",
    "反馈内容与交办要求不符，群众诉求尚未得到实质解决，请继续办理。",
    "未附当事人满意度回访记录，请补充后再报。",
    "办结报告未经单位主要负责同志签字确认，请完善后重新报送。",
]
CLOSE_NOTES = [
    "经核查，佐证材料齐全，同意销号。",
    "经实地核查，任务已完成，予以销号。",
    "审核通过，办结销号。",
]
EXTENSION_REASONS = [
    "因项目用地报批程序尚未完成，需延期办理。已完成前期准备工作，报批完成后即可组织实施。",
    "受汛期持续降雨影响，施工无法正常开展，申请顺延工期。",
    "该事项需省级部门审批，目前审批尚在进行中，申请延期办理。",
    "涉及多个部门协调，方案仍在征求意见，申请适当延长办理时限。",
]
REJECT_NOTES = [
    "延期理由不充分，请按原定时限完成，确有困难的提请分管领导协调。",
    "该事项群众关注度高，不同意延期，请倒排工期确保按期完成。",
]
SUSPEND_REASONS = [
    "因上级政策调整，暂缓实施，待省级配套文件出台后恢复办理。",
    "项目选址需重新论证，暂停办理，论证完成后恢复。",
    "涉及诉讼，待法院判决后再行办理。",
]
CANCEL_REASONS = [
    "经市政府常务会议研究，该事项已并入相关专项工作统筹推进，予以撤销。",
    "因项目选址调整，原定任务不再实施，予以撤销。",
    "与已交办事项重复，予以撤销。",
]


@dataclass
class PersonPlan:
    username: str
    name: str
    role: str
    unit: str | None
    title: str
    portfolio: list[str] = field(default_factory=list)
    superuser: bool = False


@dataclass
class TaskPlan:
    title: str
    origin: str
    source: str
    unit: str
    co_units: list[str]
    requirement: str = ""
    publicly_listed: bool = False
    with_milestones: bool = False
    scenario: str = ""
    duration: int = 0
    assigned_on: datetime.date | None = None
    deadline: datetime.date | None = None
    milestones: list[tuple[datetime.date, int, str]] = field(default_factory=list)


class Command(BaseCommand):
    help = (
        "Fill the database with a demo city: ~40 units, its people (password "
        f"{DEMO_PASSWORD}) and ~150 tasks in every state. Safe to run again."
    )

    def handle(self, *args, **options):
        self.rng = random.Random(SEED)
        self.today = timezone.localdate()
        self.yellow_until = services.due_soon_until(self.today)
        self._workdays: dict[datetime.date, bool] = {}
        with transaction.atomic():
            units, new_units = self.make_units()
            people_plan = self.plan_people()
            people, new_people = self.make_people(people_plan, units)
            task_plans = self.plan_tasks(people_plan)
            new_tasks = self.make_tasks(task_plans, units, people)
        self.report(people_plan, new_units, new_people, new_tasks)

    # -- units -------------------------------------------------------------

    def make_units(self) -> tuple[dict[str, Unit], int]:
        units: dict[str, Unit] = {}
        created_count = 0
        for order, (slug, name, short, kind, parent, _title) in enumerate(UNITS, start=1):
            unit, created = Unit.objects.get_or_create(
                name=name,
                defaults={
                    "short_name": short,
                    "kind": kind,
                    "parent": units[parent] if parent else None,
                    "sort_order": order * 10,
                },
            )
            units[slug] = unit
            created_count += created
        return units, created_count

    # -- people ------------------------------------------------------------

    def _names(self):
        used: set[str] = set()
        while True:
            name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES)
            if name not in used:
                used.add(name)
                yield name

    def plan_people(self) -> list[PersonPlan]:
        names = self._names()
        plan = [
            PersonPlan("admin", "系统管理员", Role.ADMINISTRATOR, "office", "", superuser=True),
            PersonPlan("office", next(names), Role.OFFICE_STAFF, "office", "督查室科长"),
            PersonPlan("director", next(names), Role.OFFICE_DIRECTOR, "office", "市政府办公室主任"),
            PersonPlan(
                "deputy",
                next(names),
                Role.DEPUTY_DIRECTOR,
                "office",
                "市政府办公室副主任，分管督查室",
            ),
            PersonPlan("mayor", next(names), Role.PRINCIPAL_LEADER, None, "市长"),
        ]
        surnames = {plan[-1].name[0]}
        for username, portfolio in PORTFOLIOS.items():
            name = next(names)
            while name[0] in surnames:  # "王副市长" must say which one
                name = next(names)
            surnames.add(name[0])
            plan.append(
                PersonPlan(
                    username,
                    name,
                    Role.PORTFOLIO_LEADER,
                    None,
                    "副市长",
                    portfolio=portfolio,
                )
            )
        for slug, _name, _short, _kind, _parent, head_title in UNITS:
            if head_title is None:
                continue
            plan.append(PersonPlan(f"{slug}_head", next(names), Role.UNIT_HEAD, slug, head_title))
            if slug in LIAISONS:
                plan.append(
                    PersonPlan(
                        f"{slug}_liaison",
                        next(names),
                        Role.UNIT_LIAISON,
                        slug,
                        "办公室主任，督办联络员",
                    )
                )
        plan.append(PersonPlan("copy", next(names), Role.COPY_RECIPIENT, "zzb", "干部监督科科长"))
        return plan

    def make_people(self, plan: list[PersonPlan], units) -> tuple[dict[str, object], int]:
        password = None  # hashed once: the hasher is deliberately slow
        people: dict[str, object] = {}
        created_count = 0
        for person in plan:
            user = User.objects.filter(username=person.username).first()
            if user is None:
                password = password or make_password(DEMO_PASSWORD)
                user = User.objects.create(
                    username=person.username,
                    password=password,
                    first_name=person.name,
                    is_staff=person.superuser,
                    is_superuser=person.superuser,
                )
                created_count += 1
            if not Profile.objects.filter(user=user).exists():
                profile = Profile.objects.create(
                    user=user,
                    role=person.role,
                    unit=units[person.unit] if person.unit else None,
                    title=person.title,
                )
                if person.portfolio:
                    profile.portfolio.set([units[slug] for slug in person.portfolio])
                user.profile = profile
            people[person.username] = user
        return people, created_count

    # -- planning tasks ----------------------------------------------------

    def plan_tasks(self, people_plan: list[PersonPlan]) -> list[TaskPlan]:
        rng = self.rng
        leader_of = {
            slug: person
            for person in people_plan
            if person.role == Role.PORTFOLIO_LEADER
            for slug in person.portfolio
        }
        workers = [slug for slug in TOPICS]
        districts = [slug for slug, *rest in UNITS if rest[2] == UnitKind.DISTRICT]
        townships = {rest[3]: slug for slug, *rest in UNITS if rest[2] == UnitKind.TOWNSHIP}
        plans: list[TaskPlan] = []
        titles: set[str] = set()

        def co_units_for(unit: str, chance: float = 0.3) -> list[str]:
            co: list[str] = []
            if rng.random() < chance:
                others = [slug for slug in workers if slug != unit]
                co = rng.sample(others, rng.randint(1, 2))
            if unit in townships and rng.random() < 0.5:
                co.append(townships[unit])
            return co

        def add(title, origin, source, unit, co=None, **extra) -> bool:
            if title in titles:
                return False
            titles.add(title)
            plans.append(
                TaskPlan(
                    title=title,
                    origin=origin,
                    source=source,
                    unit=unit,
                    co_units=co_units_for(unit) if co is None else co,
                    **extra,
                )
            )
            return True

        def add_generated(count, origin, source, make_title, units=None) -> None:
            made = 0
            while made < count:
                unit = rng.choice(units or workers)
                topic = rng.choice(TOPICS[unit])
                made += add(make_title(unit, topic), origin, source, unit)

        for unit, title in WORK_REPORT_TARGETS:
            add(
                title,
                TaskOrigin.WORK_REPORT,
                DeadlineSource.WORK_REPORT,
                unit,
                co=[],
                with_milestones=True,
            )
        for unit, title, co in KEY_PROJECTS:
            add(
                title,
                TaskOrigin.KEY_PROJECT,
                DeadlineSource.KEY_PROJECT,
                unit,
                co=co,
                publicly_listed=True,
                with_milestones=True,
            )
        for unit, title, co in LETTERS:
            add(title, TaskOrigin.INSTRUCTION, DeadlineSource.PRINCIPAL_INSTRUCTION, unit, co=co)

        def short(unit):
            return next(row[2] for row in UNITS if row[0] == unit)

        meeting, instruction = TaskOrigin.MEETING, TaskOrigin.INSTRUCTION
        add_generated(
            14,
            meeting,
            DeadlineSource.EXECUTIVE_MEETING,
            lambda u, t: f"落实第{rng.randint(28, 41)}次常务会议关于{t}的议定事项",
        )
        add_generated(
            8,
            meeting,
            DeadlineSource.OFFICE_MEETING,
            lambda u, t: f"落实第{rng.randint(12, 22)}次市长办公会议关于{t}的议定事项",
        )
        add_generated(
            8,
            meeting,
            DeadlineSource.TOPIC_MEETING,
            lambda u, t: f"落实{leader_of[u].name[0]}副市长主持召开的{t}专题会议议定事项",
        )
        add_generated(
            3,
            meeting,
            DeadlineSource.PLENARY_MEETING,
            lambda u, t: f"落实市政府第{rng.randint(3, 5)}次全体会议关于{t}的工作部署",
        )
        add_generated(
            5,
            meeting,
            DeadlineSource.WEEKLY_MEETING,
            lambda u, t: f"落实市政府每周工作例会关于{t}的工作安排",
        )
        add_generated(
            4,
            meeting,
            DeadlineSource.PARTY_MEETING,
            lambda u, t: f"落实市委常委会第{rng.randint(60, 85)}次会议关于{t}的决策部署",
        )
        add_generated(
            2,
            meeting,
            DeadlineSource.SPECIAL_BODY,
            lambda u, t: f"落实市投融资领导小组第{rng.randint(5, 9)}次会议关于{t}资金筹措的决定",
            units=["fgw", "cz", "zj", "jt", "sl"],
        )
        add_generated(
            2,
            meeting,
            DeadlineSource.SPECIAL_BODY,
            lambda u, t: f"落实市规划委员会第{rng.randint(3, 6)}次会议关于{t}的审议意见",
            units=["zrzy", "zj", "cdq", "jbq", "jnq"],
        )
        add_generated(
            5,
            instruction,
            DeadlineSource.PRINCIPAL_INSTRUCTION,
            lambda u, t: f"落实市长在{short(u)}调研时关于{t}的指示要求",
            units=districts,
        )
        add_generated(
            7,
            instruction,
            DeadlineSource.PORTFOLIO_INSTRUCTION,
            lambda u, t: f"办理{leader_of[u].name[0]}副市长关于进一步做好{t}工作的批示",
        )
        superior_titles = [
            "落实省政府督查组交办的{t}问题整改",
            "整改省委巡视反馈的{t}方面问题",
            "办理省政府办公厅交办的{t}督办事项",
            "落实国务院大督查反馈的{t}问题整改",
        ]
        add_generated(
            12,
            TaskOrigin.SUPERIOR,
            DeadlineSource.SUPERIOR,
            lambda u, t: rng.choice(superior_titles).format(t=t),
        )
        add_generated(
            9,
            TaskOrigin.PROPOSAL,
            DeadlineSource.PROPOSAL,
            lambda u, t: f"办理市人大代表第{rng.randint(1, 260)}号建议《关于加强{t}的建议》",
        )
        add_generated(
            7,
            TaskOrigin.PROPOSAL,
            DeadlineSource.PROPOSAL,
            lambda u, t: f"办理市政协第{rng.randint(1, 380)}号提案《关于推进{t}的提案》",
        )
        other_titles = [
            "报送{t}工作情况专报",
            "开展{t}专项检查",
            "做好{t}迎检准备工作",
            "总结提炼{t}典型经验做法",
        ]
        add_generated(
            11,
            TaskOrigin.OTHER,
            "",
            lambda u, t: rng.choice(other_titles).format(t=t),
        )

        for plan in plans:
            plan.requirement = self._requirement(plan)
            plan.duration = rng.randint(*DURATIONS[plan.source])

        # Behind schedule needs milestones; the rest of the scenarios go anywhere.
        scenarios = [name for name, count in SCENARIOS.items() for _ in range(count)]
        order = list(range(len(plans)))
        rng.shuffle(order)
        with_milestones = [i for i in order if plans[i].with_milestones]
        for i in with_milestones[: SCENARIOS["behind"]]:
            plans[i].scenario = "behind"
        scenarios = [name for name in scenarios if name != "behind"]
        rng.shuffle(scenarios)
        for i in order:
            if not plans[i].scenario:
                plans[i].scenario = scenarios.pop()
        for plan in plans:
            self._plan_dates(plan)
        return plans

    def _requirement(self, plan: TaskPlan) -> str:
        unit = next(row[1] for row in UNITS if row[0] == plan.unit)
        co = "、".join(next(row[1] for row in UNITS if row[0] == s) for s in plan.co_units)
        who = f"由{unit}牵头" + (f"，{co}配合" if co else "")
        texts = {
            TaskOrigin.WORK_REPORT: "按照政府工作报告目标任务责任分解，{who}，按时序进度推进，"
            "每月5日前报送上月进展，年底全面完成。",
            TaskOrigin.MEETING: "会议议定：{who}，细化工作措施，按时限办结并书面反馈落实情况。",
            TaskOrigin.INSTRUCTION: "请{who}，认真调查核实，依法依规妥善处理，并将办理结果"
            "报市政府督查室。",
            TaskOrigin.SUPERIOR: "按照上级交办要求，{who}，逐项制定整改措施，明确整改时限，"
            "整改到位后报送整改报告和佐证材料。",
            TaskOrigin.PROPOSAL: "{who}办理，办理前与代表（委员）沟通，按时书面答复，"
            "答复件抄送市政府督查室。",
            TaskOrigin.KEY_PROJECT: "公开挂牌督办。{who}，实行周调度、月通报、季点评，"
            "按节点计划推进，确保年内建成见效。",
            TaskOrigin.OTHER: "{who}，按要求完成并报送相关材料。",
        }
        return texts[plan.origin].format(who=who)

    def _plan_dates(self, plan: TaskPlan) -> None:
        rng, today, d = self.rng, self.today, plan.duration
        scenario = plan.scenario

        def started(lo: float, hi: float) -> datetime.date:
            return today - datetime.timedelta(days=int(d * rng.uniform(lo, hi)))

        assigned_on: datetime.date | None
        if scenario in {"draft", "cancelled_draft"}:
            assigned_on, deadline = None, today + datetime.timedelta(days=d)
        elif scenario == "assigned_fresh":
            assigned_on = today - datetime.timedelta(days=rng.randint(0, 3))
            deadline = assigned_on + datetime.timedelta(days=d)
        elif scenario == "assigned_overdue":
            # Never acknowledged: a short task that slipped through.
            deadline = today - datetime.timedelta(days=rng.randint(2, 20))
            assigned_on = deadline - datetime.timedelta(days=min(d, rng.randint(7, 20)))
        elif scenario == "acknowledged":
            assigned_on = today - datetime.timedelta(days=rng.randint(1, 6))
            deadline = assigned_on + datetime.timedelta(days=d)
        elif scenario == "due_soon":
            deadline = workdays.add_workdays(today, rng.randint(0, 3))
            assigned_on = deadline - datetime.timedelta(days=d)
        elif scenario == "overdue":
            deadline = today - datetime.timedelta(days=rng.randint(1, 40))
            assigned_on = deadline - datetime.timedelta(days=d)
        else:
            span = {
                "progress": (0.3, 0.8),
                "behind": (0.55, 0.8),
                "extension_approved": (0.6, 0.9),
                "extension_rejected": (0.6, 0.9),
                "extension_pending": (0.6, 0.9),
                "closure_requested": (0.8, 1.15),
                "returned": (0.6, 1.0),
                "closed": (0.5, 1.5),
                "closed_after_return": (0.7, 1.3),
                "suspended": (0.3, 0.7),
                "resumed": (0.3, 0.7),
                "cancelled_open": (0.1, 0.5),
            }[scenario]
            assigned_on = started(*span)
            deadline = assigned_on + datetime.timedelta(days=d)
        if assigned_on is not None:
            oldest = today - datetime.timedelta(days=OLDEST_ASSIGNMENT_DAYS)
            assigned_on = self._workday_near(max(assigned_on, oldest))
            deadline = max(deadline, assigned_on)
        # Work report targets and key projects are the year's work: due by year end,
        # unless that would take the task out of its scenario.
        if plan.origin in {TaskOrigin.WORK_REPORT, TaskOrigin.KEY_PROJECT}:
            start = assigned_on or today
            year_end = max(min(deadline, datetime.date(start.year, 12, 31)), start)
            if self._fits(scenario, year_end):
                deadline = year_end
        if not self._fits(scenario, deadline):
            # Only the "comfortably on time" scenarios can miss after the steps above.
            deadline = self.yellow_until + datetime.timedelta(days=rng.randint(3, 12))
        plan.assigned_on, plan.deadline = assigned_on, deadline
        if plan.with_milestones:
            start = assigned_on or today
            steps = (
                ["完成立项审批和招标", "主体工程开工", "主体工程完工", "竣工验收并投入使用"]
                if plan.origin == TaskOrigin.KEY_PROJECT
                else [
                    "完成年度任务的25%",
                    "完成年度任务的50%",
                    "完成年度任务的75%",
                    "全面完成年度目标",
                ]
            )
            plan.milestones = [
                (start + (deadline - start) * k // 4, 25 * k, steps[k - 1]) for k in range(1, 5)
            ]

    def _fits(self, scenario: str, deadline: datetime.date) -> bool:
        """Whether a deadline puts a task where its scenario needs it on the calendar."""
        if scenario in {"overdue", "assigned_overdue"}:
            return deadline < self.today
        if scenario == "due_soon":
            return self.today <= deadline <= self.yellow_until
        if scenario in {"progress", "behind", "assigned_fresh", "acknowledged"}:
            return deadline > self.yellow_until
        if scenario.startswith("extension_"):
            return deadline >= self.today  # extensions are asked for before the deadline
        return True

    def _workday_near(self, day: datetime.date) -> datetime.date:
        """The working day nearest `day` that is not after today (Sundays go to Monday)."""
        later = day
        while not self._is_workday(later):
            later += ONE_DAY
        if later == day or (day.weekday() == 6 and later <= self.today):
            return later
        while not self._is_workday(day):
            day -= ONE_DAY
        return day

    def _is_workday(self, day: datetime.date) -> bool:
        if day not in self._workdays:
            self._workdays[day] = workdays.is_workday(day)
        return self._workdays[day]

    # -- carrying tasks out ------------------------------------------------

    def make_tasks(self, plans: list[TaskPlan], units, people) -> int:
        existing = set(
            Task.objects.filter(title__in=[plan.title for plan in plans]).values_list(
                "title", flat=True
            )
        )
        self.portfolio_rules = set(
            DeadlineRule.objects.filter(extension_decided_by_portfolio_leader=True).values_list(
                "source", flat=True
            )
        )
        # Oldest assignment first, so codes run with the calendar; drafts last.
        far = self.today + datetime.timedelta(days=1)
        plans = sorted(plans, key=lambda plan: plan.assigned_on or far)
        created = 0
        for plan in plans:
            if plan.title in existing:
                continue
            self.carry_out(plan, units, people)
            created += 1
        return created

    def carry_out(self, plan: TaskPlan, units, people) -> None:
        rng = self.rng
        leader = people[next(u for u, slugs in PORTFOLIOS.items() if plan.unit in slugs)]
        head = people[f"{plan.unit}_head"]
        liaison = people.get(f"{plan.unit}_liaison") or head
        office, director = people["office"], people["director"]
        issuer = rng.choice([office, office, people["deputy"]])
        reviewer = rng.choice([office, office, director])

        task = services.task_create(
            by=office,
            title=plan.title,
            lead_unit=units[plan.unit],
            origin=plan.origin,
            year=(plan.assigned_on or self.today).year,
            requirement=plan.requirement,
            deadline_source=plan.source,
            lead_leader=leader,
            owner=head,
            co_units=[units[slug] for slug in plan.co_units],
            deadline=plan.deadline,
            feedback_cadence=self._cadence(plan),
            publicly_listed=plan.publicly_listed,
            milestones=plan.milestones,
        )
        scenario = plan.scenario
        if scenario == "draft":
            return
        if scenario == "cancelled_draft":
            services.task_cancel(task=task, by=director, reason=rng.choice(CANCEL_REASONS))
            return

        services.task_assign(
            task=task, by=issuer, assigned_on=plan.assigned_on, deadline=plan.deadline
        )
        if scenario in {"assigned_fresh", "assigned_overdue"}:
            return
        if scenario == "cancelled_open":
            if rng.random() < 0.5:
                services.task_acknowledge(task=task, by=liaison)
            services.task_cancel(
                task=task, by=rng.choice([leader, director]), reason=rng.choice(CANCEL_REASONS)
            )
            return
        services.task_acknowledge(task=task, by=liaison)
        if scenario == "acknowledged":
            return

        milestones = list(Milestone.objects.filter(task=task).order_by("planned_on"))
        final = self._final_percent(plan, milestones)
        behind = scenario == "behind"
        if scenario in {"closure_requested", "returned", "closed", "closed_after_return"}:
            self._report_series(task, liaison, plan, milestones, final=100, behind=False)
            self._request_closure(task, head, plan)
            if scenario == "closure_requested":
                return
            if scenario in {"returned", "closed_after_return"}:
                services.task_return(task=task, by=office, reason=rng.choice(RETURN_REASONS))
                if scenario == "returned":
                    return
                services.task_report_progress(
                    task=task,
                    by=liaison,
                    percent=100,
                    text="已按退回意见补充完善佐证材料，并开展群众满意度回访。",
                )
                self._request_closure(task, head, plan)
            services.task_close(task=task, by=reviewer, note=rng.choice(CLOSE_NOTES))
            return

        self._report_series(task, liaison, plan, milestones, final=final, behind=behind)
        if scenario.startswith("extension_"):
            request = services.task_request_extension(
                task=task,
                by=head,
                proposed_deadline=plan.deadline + datetime.timedelta(days=rng.randint(15, 45)),
                reason=rng.choice(EXTENSION_REASONS),
            )
            decider = leader if plan.source in self.portfolio_rules else director
            if scenario == "extension_approved":
                services.task_decide_extension(
                    request=request, by=decider, approve=True, note="同意延期，请抓紧推进。"
                )
            elif scenario == "extension_rejected":
                services.task_decide_extension(
                    request=request, by=decider, approve=False, note=rng.choice(REJECT_NOTES)
                )
        elif scenario in {"suspended", "resumed"}:
            services.task_suspend(
                task=task, by=rng.choice([leader, director]), reason=rng.choice(SUSPEND_REASONS)
            )
            if scenario == "resumed":
                services.task_resume(task=task, by=leader, note="相关条件已具备，恢复办理。")
                services.task_report_progress(
                    task=task,
                    by=liaison,
                    percent=min(final + 10, 95),
                    text="已恢复办理，重新调整工作计划，正在加快推进。",
                )

    @staticmethod
    def _cadence(plan: TaskPlan) -> str:
        if plan.origin == TaskOrigin.KEY_PROJECT:
            return FeedbackCadence.WEEKLY
        if plan.origin in {TaskOrigin.WORK_REPORT, TaskOrigin.PROPOSAL} or plan.duration > 30:
            return FeedbackCadence.MONTHLY
        return FeedbackCadence.ONCE

    def _final_percent(self, plan: TaskPlan, milestones: list[Milestone]) -> int:
        rng, today = self.rng, self.today
        due = max((m.percent for m in milestones if m.planned_on <= today), default=0)
        span = max((plan.deadline - plan.assigned_on).days, 1)
        elapsed = round((today - plan.assigned_on).days / span * 100)
        if plan.scenario == "behind":
            return max(5, _round5(due - rng.randint(15, 30)))
        if plan.scenario == "overdue":
            return _round5(rng.randint(40, 90))
        return min(95, max(5, due, _round5(elapsed + rng.randint(-5, 10))))

    def _report_series(self, task, by, plan, milestones, *, final: int, behind: bool) -> None:
        rng = self.rng
        count = rng.randint(2, 3) if plan.with_milestones else rng.randint(1, 2)
        percents = sorted({max(5, _round5(final * (i + 1) / count)) for i in range(count)})
        co = "、".join(next(row[2] for row in UNITS if row[0] == s) for s in plan.co_units)
        linked: set[int] = set()
        for i, percent in enumerate(percents):
            last = i == len(percents) - 1
            values = {"n": rng.randint(3, 12), "pct": percent, "co": co or "相关"}
            if last and percent == 100:
                text = rng.choice(PROGRESS_DONE)
            elif last and behind:
                text = rng.choice(PROGRESS_BEHIND)
            elif i == 0:
                text = rng.choice(PROGRESS_OPENERS) + rng.choice(PROGRESS_MIDDLES)
            else:
                text = rng.choice(PROGRESS_MIDDLES)
            reached = [m for m in milestones if m.percent <= percent and m.pk not in linked]
            milestone = reached[-1] if reached else None
            if milestone is not None:
                linked.update(m.pk for m in reached)
            services.task_report_progress(
                task=task, by=by, text=text.format(**values), percent=percent, milestone=milestone
            )

    def _request_closure(self, task, by, plan: TaskPlan) -> None:
        services.task_request_closure(
            task=task,
            by=by,
            summary=f"“{plan.title}”已按交办要求办理完毕，办结报告及佐证材料已上传，申请销号。",
        )

    # -- the summary -------------------------------------------------------

    def report(self, people_plan, new_units, new_people, new_tasks) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            self._report(people_plan, new_units, new_people, new_tasks)

    def _report(self, people_plan, new_units, new_people, new_tasks) -> None:
        write = self.stdout.write
        tasks = Task.objects.all()
        by_state = Counter(tasks.values_list("state", flat=True))
        overdue = tasks.filter(state__in=OPEN_STATES, deadline__lt=self.today).count()
        due_soon = tasks.filter(
            state__in=OPEN_STATES, deadline__gte=self.today, deadline__lte=self.yellow_until
        ).count()
        yellow = tasks.filter(due_state=DueState.YELLOW).count()
        pending = ExtensionRequest.objects.filter(status=ExtensionStatus.PENDING).count()
        if new_units or new_people or new_tasks:
            write(
                self.style.SUCCESS(
                    f"演示数据已生成：新建单位 {new_units} 个、人员 {new_people} 名、"
                    f"督办事项 {new_tasks} 件。"
                )
            )
        else:
            write(self.style.SUCCESS("演示数据已存在，未做任何改动。"))
        write(
            f"现有单位 {Unit.objects.count()} 个，人员 {User.objects.count()} 名，"
            f"督办事项 {tasks.count()} 件："
        )
        write(
            "  "
            + "，".join(
                f"{TaskState(state).label} {by_state.get(state, 0)}" for state in TaskState.values
            )
        )
        write(
            f"  逾期未办结 {overdue} 件，3个工作日内到期 {due_soon} 件，"
            f"黄灯（临期或滞后）{yellow} 件，待审批延期申请 {pending} 件。"
        )
        write("")
        write(f"演示账号，密码均为 {DEMO_PASSWORD}：")
        units = {slug: short for slug, _name, short, *_rest in UNITS}
        write(f"  {'username':<14} {'role':<17} {'unit':<10} name")
        for person in people_plan:
            unit = units[person.unit] if person.unit else "—"
            pad = " " * max(1, 11 - _columns(unit))
            title = f"，{person.title}" if person.title else ""
            write(f"  {person.username:<14} {person.role:<17} {unit}{pad}{person.name}{title}")


def _columns(text: str) -> int:
    """How many terminal columns a string takes: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _round5(value: float) -> int:
    return max(0, min(100, int(round(value / 5.0)) * 5))
