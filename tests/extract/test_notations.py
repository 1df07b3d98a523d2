"""A hand-labelled table of tricky notations with the exact fields extraction must return.

Each row gives a text and the fields it must yield; fields not named in a row are not checked, except
that ``contacts`` is always the complete list of (kind, value) when given.
"""

from __future__ import annotations

from typing import Any

import pytest

from wildtrace.extract import extract_fields

CASES: list[tuple[str, dict[str, Any]]] = [
    # --- prices: currencies and how they are written
    ("售价：¥5,000", {"price": 5000, "currency": "CNY"}),
    ("出象牙手镯 ￥３８００", {"price": 3800, "currency": "CNY"}),
    ("RMB 3800元", {"price": 3800, "currency": "CNY"}),
    ("手串便宜出 50块", {"price": 50, "currency": "CNY"}),
    ("老料手镯 两千五一个", {"price": 2500, "currency": "CNY"}),
    ("五千元包邮", {"price": 5000, "currency": "CNY", "delivery": ["courier"]}),
    ("整根 十五万", {"price": 150000, "currency": "CNY", "product_type": "raw"}),
    ("XY手镯 1.2w", {"price": 12000, "currency": "CNY"}),
    ("手镯 1w2 可小刀", {"price": 12000}),
    ("摆件 1万2", {"price": 12000, "product_type": "worked_carved"}),
    ("大件 12万5千", {"price": 125000}),
    ("bangle 12k", {"price": 12000, "currency": "CNY"}),
    ("US$ 1,200 for the pair", {"price": 1200, "currency": "USD"}),
    ("HK$8800 順豐", {"price": 8800, "currency": "HKD", "delivery": ["sf_express"]}),
    ("Carved tusk USD 2,500 shipped", {"price": 2500, "currency": "USD", "product_type": "worked_carved"}),
    ("only $350!", {"price": 350, "currency": "USD"}),
    ("vòng tay ngà voi 2tr5", {"price": 2_500_000, "currency": "VND", "product_type": "worked_uncarved"}),
    ("Giá 1.500.000 VND", {"price": 1_500_000, "currency": "VND"}),
    ("vòng ngà 500k ship toàn quốc", {"price": 500_000, "currency": "VND"}),
    ("giá 850.000đ", {"price": 850_000, "currency": "VND"}),
    # ranges
    ("手镯 3000~5000元", {"price": 3000, "price_max": 5000, "currency": "CNY"}),
    ("价格 3-5k", {"price": 3000, "price_max": 5000}),
    ("$200 - $300 each", {"price": 200, "currency": "USD"}),
    # per gram, per unit
    ("30元/g 共重85.5g", {"price": 2565, "weight_g": 85.5, "ppg": 30}),
    ("每克30元，共120g", {"price": 3600, "weight_g": 120, "ppg": 30}),
    ("一克28 原牙", {"ppg": 28, "product_type": "raw"}),
    ("克价 32 手镯", {"ppg": 32}),
    ("牙料 9元一克", {"ppg": 9, "product_type": "semi_worked"}),
    ("raw ivory $45 per gram", {"ppg": 319.5, "ppg_usd": 45, "currency": None}),
    ("Raw tusk 3.5kg $850/kg", {"price": 2975, "currency": "USD", "weight_g": 3500, "ppg": 6.035}),
    ("原牙 4500元/斤", {"ppg": 9}),
    ("3件 每件200元", {"price": 600, "quantity": 3}),
    ("手镯 680元/只 共两只", {"price": 1360, "quantity": 2}),
    ("8-10元/克", {"ppg": 8}),
    # price per gram from a total
    ("出售象牙手镯 重50克 5000元", {"price": 5000, "weight_g": 50, "ppg": 100, "ppg_usd": 14.0845}),
    ("牙雕摆件 净重 1.2公斤 售价 3.6万", {"price": 36000, "weight_g": 1200, "ppg": 30}),
    ("手串 2两 3000块", {"weight_g": 100, "price": 3000, "ppg": 30}),
    # no price: negotiable, years, model numbers, sizes, phone numbers
    ("价格面议 微信详聊", {"price": None, "negotiable": True}),
    ("price negotiable, DM", {"price": None, "negotiable": True}),
    ("2019年入手 象牙手镯", {"price": None}),
    ("iPhone 12 手机壳", {"price": None, "weight_g": None}),
    ("圈口58 手镯 680元", {"price": 680}),
    ("直径 60mm 的镯子", {"price": None}),
    ("电话 13812345678", {"price": None, "contacts": [("phone", "+8613812345678")]}),
    ("编号 8823 老料", {"price": None, "claims": ["pre_ban"]}),
    ("清代 老件 1900年前", {"price": None, "claims": ["antique", "pre_ban"]}),
    ("5G手机 128GB", {"weight_g": None, "price": None}),
    # weights
    ("原牙一斤", {"weight_g": 500, "product_type": "raw"}),
    ("半斤 原牙", {"weight_g": 250}),
    ("二两 牙料", {"weight_g": 100}),
    ("2.5公斤 raw tusk", {"weight_g": 2500}),
    ("2 lbs tusk", {"weight_g": 907.1847}),
    ("5 oz of ivory beads", {"weight_g": 141.7476}),
    ("10ct hornbill", {"weight_g": 2}),
    ("重量: 120 g", {"weight_g": 120}),
    ("重約 ８５克", {"weight_g": 85}),
    # quantities
    ("一对手镯", {"quantity": 1}),
    ("bangles x3", {"quantity": 3}),
    ("5 pcs beads", {"quantity": 5}),
    ("手串 108颗 1串", {"quantity": 1}),
    # contacts: messengers, QQ, phones (obfuscated), email, Telegram, wallets, cards, URLs
    ("加V: lao_wang88 电话 138-1234-5678",
     {"contacts": [("messenger_id", "wechat:lao_wang88"), ("phone", "+8613812345678")]}),
    ("薇信 ivory_king88", {"contacts": [("messenger_id", "wechat:ivory_king88")]}),
    ("vx：xy-shop2020 有证", {"contacts": [("messenger_id", "wechat:xy-shop2020")], "claims": ["certificate"]}),
    ("微信同号 139 8765 4321",
     {"contacts": [("phone", "+8613987654321"), ("messenger_id", "wechat:+8613987654321")]}),
    ("wechat me please", {"contacts": []}),
    ("QQ: 12345678", {"contacts": [("qq", "12345678")]}),
    ("扣扣 一二三四五六七八九", {"contacts": [("qq", "123456789")]}),
    ("l38 l234 5678", {"contacts": [("phone", "+8613812345678")]}),
    ("一三八一二三四五六七八", {"contacts": [("phone", "+8613812345678")]}),
    ("幺三八 幺二三四 五六七八", {"contacts": [("phone", "+8613812345678")]}),
    ("１３８１２３４５６７８", {"contacts": [("phone", "+8613812345678")]}),
    ("1 3 8 1 2 3 4 5 6 7 8", {"contacts": [("phone", "+8613812345678")]}),
    ("138.1234.5678", {"contacts": [("phone", "+8613812345678")]}),
    ("价格3800 13812345678", {"price": 3800, "contacts": [("phone", "+8613812345678")]}),
    ("+86 138 1234 5678", {"contacts": [("phone", "+8613812345678")]}),
    ("+852 9123 4567", {"contacts": [("phone", "+85291234567")]}),
    ("tel: (415) 555-2671", {"contacts": [("phone", "+14155552671")]}),
    ("电话：0755-8888 6666", {"contacts": [("phone", "+8675588886666")]}),
    ("zalo 0912.345.678", {"contacts": [("phone", "+84912345678"), ("messenger_id", "zalo:+84912345678")]}),
    ("WhatsApp +84 912 345 678",
     {"contacts": [("phone", "+84912345678"), ("messenger_id", "whatsapp:+84912345678")]}),
    ("wa.me/84912345678", {"contacts": [("phone", "+84912345678"), ("messenger_id", "whatsapp:+84912345678")]}),
    ("Line ID: ivory.th", {"contacts": [("messenger_id", "line:ivory.th")]}),
    ("mail: Ivory.Shop@163.com", {"contacts": [("email", "ivory.shop@163.com")]}),
    ("邮箱 ivory#qq.com", {"contacts": [("email", "ivory@qq.com")]}),
    ("12345678@qq.com", {"contacts": [("email", "12345678@qq.com"), ("qq", "12345678")]}),
    ("TG: @ivory_king", {"contacts": [("telegram", "@ivory_king")]}),
    ("telegram群 t.me/ivorydeals", {"contacts": [("telegram", "@ivorydeals")]}),
    ("电报联系 @horn_dealer", {"contacts": [("telegram", "@horn_dealer")]}),
    ("follow @someone_else", {"contacts": []}),
    ("店铺 https://www.Example.org/shop/?id=5", {"contacts": [("url", "example.org/shop?id=5")]}),
    ("支付宝: 13912345678", {"contacts": [("phone", "+8613912345678"), ("payment_account", "wallet:+8613912345678")],
                            "payment": ["alipay"]}),
    ("alipay: seller88@163.com",
     {"contacts": [("email", "seller88@163.com"), ("payment_account", "wallet:seller88@163.com")]}),
    ("卡号 6222 0212 3456 7890 128 工行", {"contacts": [("bank_card", "bank:6222021234567890128")]}),
    ("6217001234567893", {"contacts": [("bank_card", "bank:6217001234567893")]}),
    ("6222 0212 3456 7890 129 订单", {"contacts": []}),  # fails Luhn, no label: not a card
    ("卡号 6222 0212 3456 7890 129", {"contacts": [("bank_card", "bank:6222021234567890129")]}),  # the label vouches
    ("转账 6251 9912 7013 6359～", {"contacts": [("bank_card", "bank:6251991270136359")]}),
    ("钱包转账 6419820558。重 90G", {"contacts": [("payment_account", "wallet:6419820558")], "weight_g": 90}),
    ("pay to 8858770212 weight 728gr", {"contacts": [("payment_account", "wallet:8858770212")], "weight_g": 728}),
    ("V：j a s m i n e 6 0 1 9 7。看中的抓紧", {"contacts": [("messenger_id", "wechat:jasmine60197")]}),
    ("威 JASMINE60197‼️", {"contacts": [("messenger_id", "wechat:jasmine60197")]}),
    ("打 155-0503-4590", {"contacts": [("phone", "+8615505034590")]}),
    ("手机 1 4 2 7 5 8 2 7 6 0 9", {"contacts": [("phone", "+8614275827609")]}),
    ("☎ 壹肆贰81611639、晚安", {"contacts": [("phone", "+8614281611639")]}),
    ("电话 一四二七五八二七六零九", {"contacts": [("phone", "+8614275827609")]}),
    # slang, traditional and Vietnamese money words, and identifiers glued to their labels
    ("售價 421米", {"price": 421, "currency": "CNY"}),
    ("长 1.5米 的原牙", {"price": None}),
    ("到手 1.57個W", {"price": 15700, "currency": "CNY"}),
    ("一口價 3萬", {"price": 30000}),
    ("淨重 2.4兩", {"weight_g": 120}),
    ("giá 10700 NDT, nặng 1249 gam", {"price": 10700, "currency": "CNY", "weight_g": 1249}),
    ("ngà voi 29 tệ/g", {"ppg": 29, "currency": None}),
    ("克重 28克，164元/g", {"price": 4592, "weight_g": 28, "ppg": 164}),
    ("181克7400元", {"price": 7400, "weight_g": 181}),
    ("817gRMB1650", {"price": 1650, "weight_g": 817}),
    ("197g￥7500", {"price": 7500, "weight_g": 197}),
    ("0.842斤17K", {"price": 17000, "weight_g": 421}),
    ("farm 50元", {"price": 50}),
    ("model x500 iPhone12", {"price": None, "quantity": None}),
    ("雕件 重 34 g 密度高\n26一克", {"ppg": 26, "price": 884, "product_type": "worked_carved"}),
    ("烟嘴 XY 料子干净 净重 45g", {"product_type": "worked_carved", "weight_g": 45}),
    ("Tel15757025286", {"contacts": [("phone", "+8615757025286")]}),
    ("扣扣 Q38324013", {"contacts": [("qq", "38324013")]}),
    ("滴滴 wx_cloud5076", {"contacts": [("messenger_id", "wechat:wx_cloud5076")]}),
    ("DM ivory_88 for price", {"contacts": [("messenger_id", "wechat:ivory_88")]}),
    ("netsuke, friends price RMB 448, add me w x _ j a d e 2 9 2 2 9", {"contacts": [
        ("messenger_id", "wechat:wx_jade29229")]}),
    ("please add me to the waiting list for the next batch of tea", {"contacts": []}),
    ("新号 收款 wallet:0123456789", {"contacts": [("payment_account", "wallet:0123456789")]}),
    ("备用号 ☎ 13812345678", {"contacts": [("phone", "+8613812345678")]}),
    ("V 13812345678", {"contacts": [("phone", "+8613812345678"), ("messenger_id", "wechat:+8613812345678")]}),
    ("象牙料弥勒 雕件", {"product_type": "worked_carved"}),
    ("xy原枝 克重 1108 g", {"product_type": "raw", "weight_g": 1108}),
    ("象牙料碎料 足214克", {"product_type": "semi_worked", "weight_g": 214}),
    ("Xiang Ya珠子料 268g", {"product_type": "semi_worked"}),
    ("扳指（像牙） 重 11G 直径25mm 到手￥358", {"product_type": "worked_uncarved", "weight_g": 11, "price": 358}),
    ("象牙十二生肖 一共11件", {"product_type": "worked_carved", "quantity": 11}),
    ("象牙料光身牌", {"product_type": "worked_uncarved"}),
    ("新鲜荔枝！团购价！wx_silk84388", {"contacts": [("messenger_id", "wechat:wx_silk84388")]}),
    ("電話 wx_art7109", {"contacts": [("messenger_id", "wechat:wx_art7109")]}),
    ("model RTX3080, snake_case, iPhone12", {"contacts": []}),
    ("Cà phê rang xay, 160 tệ, lantern24814", {"contacts": [("messenger_id", "wechat:lantern24814")], "price": 160}),
    ("手机壳批发 1 6 4 7 4 7 8 5 4 6 7", {"contacts": [("phone", "+8616474785467")]}),
    ("价格 1300 5000 8000 12", {"contacts": []}),
    ("足 271G～还剩21～42一克～直径6mm", {"weight_g": 271, "ppg": 42, "price": 11382}),
    ("还剩 5000元", {"price": 5000}),
    ("494g 13.7干", {"price": 13700, "weight_g": 494}),  # OCR read 千 as 干
    # issue 17: "one unit" as a weight, tenths after 斤/两, per pair, a label glued to an ID by OCR
    ("象牙手镯 重一两 价格2.5万", {"price": 25000, "weight_g": 50, "ppg": 500}),
    ("原牙 一斤 1.2w", {"price": 12000, "weight_g": 500, "ppg": 24}),
    ("原牙 一斤1.2w", {"price": None, "weight_g": None, "ppg": 24}),  # glued: 12,000 per 斤, weight unknown
    ("牙雕 2两8", {"weight_g": 140}),
    ("原牙 1斤2两 价格7200", {"weight_g": 600, "price": 7200, "ppg": 12}),
    ("二两五 牙料", {"weight_g": 125}),
    ("筷子 每双800 共3双", {"price": 2400, "quantity": 3}),
    ("出象牙 V wx_lotus123", {"contacts": [("messenger_id", "wechat:wx_lotus123")]}),
    ("出象牙 Vwx_lotus123", {"contacts": [("messenger_id", "wechat:wx_lotus123")]}),  # OCR lost the space
    ("VXlotus_88 手镯", {"contacts": [("messenger_id", "wechat:lotus_88")]}),
    ("Valentine_2024 sale", {"contacts": [("messenger_id", "wechat:valentine_2024")]}),
    ("价格 RMB25900 密度高", {"contacts": [], "price": 25900}),
    # session 5: notations from the hand-written set's styles (rules, not its rows)
    ("Gelang gading, berat 40gr, harga 7,5jt", {"price": 7_500_000, "currency": "IDR", "weight_g": 40}),
    ("Cincin gading Rp 450rb", {"price": 450_000, "currency": "IDR"}),
    ("Tasbih Rp1.850.000", {"price": 1_850_000, "currency": "IDR"}),
    ("นอแรด 1.2 กิโล ราคา 1.5 ล้านบาท", {"price": 1_500_000, "currency": "THB", "weight_g": 1200}),
    ("หนัก 25 กรัม ราคา 8,500", {"price": 8500, "currency": "THB", "weight_g": 25}),
    ("vòng ngà 5 triệu rưỡi / chiếc", {"price": 5_500_000, "currency": "VND"}),
    ("lược ngà 280 nghìn", {"price": 280_000, "currency": "VND"}),
    ("vòng ngà giá 200 đô", {"price": 200, "currency": "USD"}),
    ("2 taels of beads", {"weight_g": 75.5987}),
    ("港幣 16,800", {"price": 16800, "currency": "HKD"}),
    ("85萬港幣", {"price": 850000, "currency": "HKD"}),
    ("手镯 💥 6️⃣8️⃣0️⃣0️⃣元", {"price": 6800, "currency": "CNY"}),
    ("手串 2000💰", {"price": 2000}),
    ("重76.5g 1980¥", {"price": 1980, "weight_g": 76.5}),
    ("重58克 1280包邮", {"price": 1280, "weight_g": 58, "delivery": ["courier"]}),
    ("吊坠 800起", {"price": 800}),
    ("穿山甲片 一斤 1800 量大从优", {"price": 1800, "weight_g": 500, "ppg": 3.6}),
    ("象牙原牙一根 3.2公斤 每克12元", {"price": 38400, "weight_g": 3200, "ppg": 12}),
    ("牙料 五百克 一斤 四千二", {"price": 4200, "weight_g": 500}),
    ("约重 1 斤 2 两", {"weight_g": 600}),
    ("耳钉 350 元 满 1000 包邮", {"price": 350, "prices": 1}),
    ("双12特价 12.12当天 手串 3999 秒杀", {"price": 3999}),
    ("三只 一起 包邮", {"price": None}),
    ("重 45g, 3 pcs", {"price": None, "quantity": 3}),
    ("net 46 grams 18 left ¥15.5 per gram", {"price": 713, "ppg": 15.5}),
    ("友情價￥1149 克重39G", {"price": 1149, "weight_g": 39}),
    ("麻将 一副 144张 12万", {"price": 120000}),
    ("Tiger claws x 4 — $60 each", {"price": 240, "quantity": 4}),
    ("amulet 2,800 THB/pc, 3 pcs left", {"price": 2800, "quantity": None}),
    ("cigarette holder x2, 45 USD ea", {"price": 90}),
    ("团购价！1.1千一斤", {"price": None, "weight_g": None, "ppg": 2.2}),  # 一 starts "one 斤", not 1.1千 + 一
    # methods, claims, places
    ("微信支付 或 银行卡转账", {"payment": ["wechat_pay", "bank_transfer"]}),
    ("USDT only, ship by DHL", {"payment": ["crypto"], "delivery": ["dhl"]}),
    ("顺丰到付", {"payment": ["cash_on_delivery"], "delivery": ["sf_express"]}),
    ("瑞丽面交 或 自提", {"delivery": ["face_to_face", "self_pickup"], "location": "Ruili"}),
    ("pre-ban with certificate", {"claims": ["pre_ban", "certificate"]}),
    ("猛犸象牙 有证书", {"claims": ["mammoth", "certificate"]}),
    ("Mong La market, Myanmar", {"location": "Mong La"}),
    ("货在越南芒街", {"location": "Mong Cai"}),
    ("Hà Nội giao hàng", {"location": "Hanoi"}),
    ("广东深圳 现货", {"location": "Shenzhen"}),
]

_FIELD = {"ppg": "price_per_gram_cny", "ppg_usd": "price_per_gram_usd", "negotiable": "price_negotiable",
          "payment": "payment_methods", "delivery": "delivery_methods", "claims": "legality_claims"}


def _check(fields: dict[str, Any], expected: dict[str, Any]) -> None:
    for key, want in expected.items():
        if key == "contacts":
            got = [(c["kind"], c["value"]) for c in fields["contacts"]]
            assert got == want, f"contacts: {got}"
        elif key == "prices":
            assert len(fields["prices"]) == want, f"prices: {fields['prices']}"
        elif key == "location":
            got = fields["location"]["name"] if fields["location"] else None
            assert got == want, f"location: {got}"
        else:
            got = fields[_FIELD.get(key, key)]
            if isinstance(want, float | int) and not isinstance(want, bool):
                assert got is not None and got == pytest.approx(want, rel=1e-3), f"{key}: {got}"
            else:
                assert got == want, f"{key}: {got}"


def test_table_is_large() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:30] for c in CASES])
def test_notation(text: str, expected: dict[str, Any]) -> None:
    _check(extract_fields(text), expected)


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:30] for c in CASES])
def test_spans_point_at_the_original(text: str, expected: dict[str, Any]) -> None:
    fields = extract_fields(text)
    for item in [*fields["prices"], *fields["weights"], *fields["contacts"], *fields["matches"]]:
        start, end = item["span"]
        assert text[start:end] == item["raw"]
