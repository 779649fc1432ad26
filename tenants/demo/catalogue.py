"""What the demo startups are: names, legal forms, industries, states, space needs and descriptions.

`need` says which spaces a startup holds: "O" an office, "O2" two offices, "D4" four desks,
"W" a workshop, "S" a storage room, "=B-203" that exact space; parts joined with "+".
`story` shapes its leases: "renewal" (a one-year lease renewed), "moved" (from desks to an
office a few months ago), "upcoming" (admitted days ago, moving in next month).
"""

from __future__ import annotations

from typing import NamedTuple

from tenants.models import ExitReason, Industry, LegalForm, StartupStatus


class Profile(NamedTuple):
    name: str
    form: LegalForm
    industry: Industry
    status: StartupStatus
    need: str
    description: str
    exit_reason: ExitReason | None = None
    note: str = ""
    story: str = ""


LTD, IND, COOP = LegalForm.LIMITED_COMPANY, LegalForm.SOLE_PROPRIETOR, LegalForm.FARMER_COOPERATIVE
PART, TEAM = LegalForm.PARTNERSHIP, LegalForm.UNREGISTERED_TEAM
APPLIED, INC = StartupStatus.APPLIED, StartupStatus.INCUBATING
GRAD, GONE = StartupStatus.GRADUATED, StartupStatus.EXITED
X = Industry

AQIONG_STARTUP = "昌都市卡若区童心课后托管服务有限公司"
AQIONG_USCC = "91540302MA6T1X2Y3A"

# 拉萨市第三极众创空间: graduates' firms and teams in Lhasa's old town and beyond.
DSJ: list[Profile] = [
    Profile(
        "拉萨雪域青稞文创有限公司",
        LTD,
        X.R,
        INC,
        "O",
        "以青稞、经幡和唐卡纹样为元素设计帆布包、冰箱贴和笔记本等文创产品，在八廓街门店和网店销售。",
        story="renewal",
    ),
    Profile(
        "拉萨圣地藏香制作有限公司",
        LTD,
        X.C,
        INC,
        "W",
        "按传统配方手工制作藏香，开发线香、盘香和香薰礼盒，原料向尼木县吞巴乡藏香作坊收购。",
    ),
    Profile(
        "西藏勉唐唐卡艺术传承有限公司",
        LTD,
        X.R,
        INC,
        "W",
        "勉唐画派唐卡绘制与教学，承接寺院、酒店定制唐卡，开设面向游客的唐卡体验课。",
    ),
    Profile(
        "拉萨青稞坊食品科技有限公司",
        LTD,
        X.C,
        INC,
        "O+S",
        "研发青稞饼干、青稞麦片和低糖糌粑，产品已进入区内连锁超市和贡嘎机场商店。",
    ),
    Profile(
        "西藏牦牛部落电子商务有限公司",
        LTD,
        X.F,
        INC,
        "O",
        "在抖音、淘宝经营牦牛肉干、酥油和奶渣等高原特产，与当雄县、那曲牧民合作社建立直采供应链。",
        story="renewal",
    ),
    Profile(
        "拉萨日光城旅行社有限公司",
        LTD,
        X.L,
        INC,
        "O",
        "面向自由行游客的拉萨—林芝—纳木错小团定制游，导游均为本地藏族大学毕业生。",
    ),
    Profile(
        "西藏雪莲花软件科技有限公司",
        LTD,
        X.I,
        INC,
        "O2",
        "开发藏汉双语的学校排课、家校沟通小程序，已为拉萨十余所中小学提供服务。",
    ),
    Profile(
        "拉萨喜马拉雅牦牛绒纺织有限公司",
        LTD,
        X.C,
        INC,
        "O",
        "收购牧区牦牛绒，委托加工围巾、披肩和毛毯，以自有品牌在线上和拉萨门店销售。",
    ),
    Profile(
        "西藏甘露藏医药健康管理有限公司",
        LTD,
        X.Q,
        INC,
        "O",
        "提供藏医药浴、藏医养生咨询和藏药香囊，与西藏藏医药大学合作开发产品。",
    ),
    Profile(
        "拉萨格桑花电商创业团队",
        TEAM,
        X.F,
        INC,
        "D6",
        "几名应届毕业生在拼多多、小红书销售手工藏式饰品和小块藏毯，正在准备注册公司。",
    ),
    Profile(
        "拉萨吉祥结手工艺创业团队",
        TEAM,
        X.C,
        APPLIED,
        "",
        "计划开设以藏式编织、吉祥结挂饰为主的手工艺工作室，申请入驻工位。",
    ),
    Profile(
        "拉萨扎西德勒民宿管理有限公司",
        LTD,
        X.H,
        INC,
        "D6",
        "托管老城区由藏式民居改造的民宿，提供运营、保洁和线上预订服务。",
    ),
    Profile(
        "城关区卓玛藏式甜茶馆",
        IND,
        X.H,
        GRAD,
        "D3",
        "以甜茶、藏面和酸奶为主的藏式茶馆，毕业后在冲赛康开设了第二家门店。",
    ),
    Profile(
        "西藏高原之舟物流有限公司", LTD, X.G, INC, "O", "拉萨城区到周边县乡的同城配送和快递末端服务，自有配送车 12 辆。"
    ),
    Profile(
        "拉萨觉木隆藏戏文化传播有限公司",
        LTD,
        X.R,
        INC,
        "O",
        "藏戏、锅庄演出策划和短视频创作，承接景区演出和企业年会节目。",
    ),
    Profile(
        "城关区娘热乡青稞种植农民专业合作社",
        COOP,
        X.A,
        INC,
        "D4",
        "娘热乡农户种植青稞、酿造青稞酒，合作社在基地开展品牌设计和网上销售。",
    ),
    Profile(
        "城关区蔡公堂乡牦牛养殖农民专业合作社",
        COOP,
        X.A,
        GRAD,
        "D2",
        "牦牛育肥和牛肉分割加工，毕业时已建成冷库并与区内超市签订供货协议。",
    ),
    Profile(
        "拉萨光合设计合伙企业（有限合伙）",
        PART,
        X.M,
        INC,
        "D6",
        "品牌标识、包装和展陈设计，客户以区内农牧特产企业和文旅项目为主。",
    ),
    Profile(
        "拉萨云上数据服务合伙企业（普通合伙）",
        PART,
        X.I,
        INC,
        "O",
        "为中小商户提供数据录入、报表整理和小程序开发外包服务。",
        story="moved",
    ),
    Profile(
        "西藏知行教育咨询有限公司", LTD, X.P, INC, "O", "面向区内高校毕业生的公务员、事业单位考试辅导和职业规划服务。"
    ),
    Profile(
        "拉萨阳光新能源科技有限公司",
        LTD,
        X.D,
        GRAD,
        "O",
        "户用光伏和太阳能热水器的安装与运维，毕业后迁入堆龙德庆区的厂房。",
    ),
    Profile(
        "西藏绿野环保科技有限公司",
        LTD,
        X.N,
        GONE,
        "D3",
        "餐厨垃圾收运和处理咨询。",
        ExitReason.ABNORMAL,
        "连续两个季度未报送经营数据且无法联系，按入驻协议清退。",
    ),
    Profile("城关区次仁摄影工作室", IND, X.O, INC, "D4", "藏装写真、婚纱摄影和旅拍，旺季与民宿、旅行社合作接单。"),
    Profile("城关区央金藏装定制店", IND, X.C, INC, "D4", "量身定制现代藏装和民族风礼服，主要通过微信和小红书接单。"),
    Profile(
        "拉萨岗坚手机维修服务部",
        IND,
        X.O,
        GONE,
        "D2",
        "手机、电脑维修和配件销售。",
        ExitReason.MOVED_OUT,
        "业务扩大，迁入北京中路临街门面。",
    ),
    Profile("拉萨雪域之声文化传媒有限公司", LTD, X.R, INC, "O", "制作藏语有声读物、播客节目和少儿藏语动画配音。"),
    Profile(
        "西藏麦野智慧农业科技有限公司",
        LTD,
        X.I,
        INC,
        "O",
        "温室大棚物联网监测和种植管理系统，在曲水县、达孜区的蔬菜基地试点。",
    ),
    Profile(
        "拉萨卓越建筑装饰工程有限公司", LTD, X.E, GRAD, "O", "藏式建筑彩绘和室内装饰施工，毕业当年营业额超过 800 万元。"
    ),
    Profile("西藏圣湖户外运动有限公司", LTD, X.R, INC, "D6+S", "纳木错、羊卓雍错徒步线路的向导服务和户外装备租赁。"),
    Profile("拉萨藏文字体设计创业团队", TEAM, X.I, INC, "D6", "设计藏文电脑字体和输入法皮肤，已免费发布两款藏文字体。"),
    Profile(
        "拉萨河畔咖啡有限公司",
        LTD,
        X.H,
        GONE,
        "O",
        "以藏式酸奶和高原咖啡豆为特色的咖啡馆。",
        ExitReason.DEREGISTERED,
        "经营不善，股东会决议注销公司。",
    ),
    Profile(
        "拉萨雪顿文化旅游发展有限公司", LTD, X.L, APPLIED, "", "策划雪顿节、望果节期间的民俗体验路线和中小学研学活动。"
    ),
    Profile("西藏藏地臻品农牧产品开发有限公司", LTD, X.F, GRAD, "O", "林芝松茸、亚东木耳等农牧特产的批发与渠道分销。"),
    Profile("拉萨曲米藏餐连锁管理有限公司", LTD, X.H, INC, "O", "标准化藏面、甜茶和酸奶连锁品牌，已开设 3 家直营店。"),
    Profile(
        "拉萨拉姆藏药香囊合伙企业（普通合伙）",
        PART,
        X.C,
        INC,
        "D5",
        "以藏药材制作香囊和药枕，产品进入酒店客房和景区商店。",
    ),
    Profile("西藏白玛网络科技有限公司", LTD, X.I, INC, "O", "运营“拉萨同城”本地生活小程序，汇集家政、维修和跑腿服务。"),
    Profile(
        "拉萨吉祥藏毯编织有限公司",
        LTD,
        X.C,
        GONE,
        "O",
        "手工藏毯编织和定制。",
        ExitReason.OTHER,
        "法定代表人赴内地攻读研究生，主动申请退出，公司保留。",
    ),
    Profile(
        "拉萨雪域少年研学教育创业团队",
        TEAM,
        X.P,
        APPLIED,
        "",
        "组织内地中小学生暑期研学营，体验藏族传统文化和高原生态。",
    ),
    Profile(
        "西藏天成影视制作有限公司",
        LTD,
        X.R,
        INC,
        "O",
        "纪录片、宣传片和短视频拍摄制作，主创毕业于西藏大学艺术学院。",
        story="upcoming",
    ),
    Profile(
        "西藏格桑梅朵电子商务有限公司",
        LTD,
        X.F,
        GRAD,
        "O",
        "藏式首饰和藏毯的跨境电商，毕业后入驻自治区电子商务产业园。",
    ),
]

# 昌都市大学生创客社区: its first batch of 20 firms, admitted in 2023.
CDCK: list[Profile] = [
    Profile(
        AQIONG_STARTUP,
        LTD,
        X.P,
        INC,
        "=B-203",
        "为卡若区小学生提供课后托管、作业辅导和藏汉双语阅读、绘画兴趣课程，由三名高校毕业生创办，服务周边三所小学。",
        story="renewal",
    ),
    Profile("昌都茶马古道文化旅游有限公司", LTD, X.L, INC, "O", "茶马古道、然乌湖和三江并流线路的定制游与研学游。"),
    Profile(
        "卡若区嘎玛乡手工艺农民专业合作社",
        COOP,
        X.C,
        INC,
        "W",
        "嘎玛乡手工艺人的铜器锻造和噶玛嘎孜画派唐卡制作，统一设计、统一销售。",
    ),
    Profile(
        "昌都康巴红电子商务有限公司",
        LTD,
        X.F,
        INC,
        "O",
        "在网上销售昌都核桃、藏香猪肉和青稞酒，建立卡若区农特产品电商服务站。",
    ),
    Profile(
        "昌都澜沧江生态农业科技有限公司", LTD, X.A, INC, "O", "为卡若区蔬菜大棚和食用菌种植户提供技术服务和统一收购。"
    ),
    Profile("卡若区格桑藏面馆", IND, X.H, GRAD, "D2", "经营藏面、牛肉包子和甜茶，毕业后在城区开设两家分店。"),
    Profile("昌都三江源信息技术有限公司", LTD, X.I, INC, "O", "为乡镇卫生院和学校提供网络布线、监控安装和软件运维。"),
    Profile("卡若区雪鹰摄影工作室", IND, X.O, INC, "D4", "藏族婚礼跟拍、证件照和企事业单位宣传片拍摄。"),
    Profile(
        "卡若区藏香猪养殖农民专业合作社", COOP, X.A, INC, "D4", "藏香猪林下生态养殖和冷鲜肉配送，带动周边农户入社。"
    ),
    Profile("昌都高原臻品商贸有限公司", LTD, X.F, INC, "O", "松茸、牦牛肉干和藏式香料的批发和门店零售。"),
    Profile("昌都卡若印象文化传媒有限公司", LTD, X.R, INC, "O", "卡若遗址主题文创和康巴服饰短视频创作。"),
    Profile(
        "卡若区锅庄舞蹈培训创业团队",
        TEAM,
        X.P,
        INC,
        "D5",
        "面向少儿和成人的锅庄、弦子舞蹈培训，周末在社区广场开设公益课。",
    ),
    Profile(
        "昌都雪域骏马物流有限公司",
        LTD,
        X.G,
        GONE,
        "D2",
        "城区到乡镇的快递配送。",
        ExitReason.MOVED_OUT,
        "业务扩大，迁入昌都经济开发区物流园。",
    ),
    Profile(
        "昌都市卡若区阳光家政服务有限公司",
        LTD,
        X.O,
        INC,
        "O2",
        "月嫂、保洁和老人陪护等家政服务，开展家政从业人员培训。",
    ),
    Profile(
        "卡若区次旺汽车美容店",
        IND,
        X.O,
        GONE,
        "D2",
        "汽车清洗、美容和小修。",
        ExitReason.ABNORMAL,
        "长期停业，经多次联系未恢复经营，按协议退出。",
    ),
    Profile(
        "昌都藏东珍宝藏药科技有限公司",
        LTD,
        X.C,
        INC,
        "O",
        "以藏药材为原料开发药浴包和香囊，与昌都市藏医院合作研制配方。",
    ),
    Profile("昌都洁净环境服务有限公司", LTD, X.N, GRAD, "D2", "承接城区街道环卫和小区保洁，吸纳本地农牧民就业。"),
    Profile("昌都纵横建筑设计咨询有限公司", LTD, X.M, GRAD, "O", "乡村民居、藏式风貌改造的建筑设计和工程咨询。"),
    Profile("卡若区达瓦手工藏毯店", IND, X.C, INC, "D4", "手工编织和修补藏毯，承接寺院、酒店的定制订单。"),
    Profile(
        "卡若区格萨尔说唱文化工作室", TEAM, X.R, INC, "D5", "记录整理格萨尔说唱艺人的唱段，以短视频和音频节目传播。"
    ),
]
