"""Courier typologies over ``mx_shp`` (waybills), ``mx_seizures`` and the flagged sellers' phones.

Names on waybills are often false and phones real, so phones are the subjects that tie parcels to
people; names are compared by :func:`name_key` (across scripts and transliterations).
"""

from __future__ import annotations

from wildtrace.money._contents import contents_values
from wildtrace.money._registry import typology

_ENDS = """(SELECT waybill, t, 'sender' AS role, sender_phone AS phone, mx_name_key(sender_name) AS name,
                   trim(sender_name) AS written FROM mx_shp
            UNION ALL
            SELECT waybill, t, 'receiver', receiver_phone, mx_name_key(receiver_name), trim(receiver_name)
            FROM mx_shp)"""


@typology("phone_many_names", "phone", 0.5, needs=("mx_shp",), min_names=3)
def phone_many_names(min_names: int) -> str:
    """One phone on waybills under at least ``min_names`` different names (after transliteration): the
    real phone behind false names. The pattern's members are the phone and its waybills under a name other
    than its own (the name it uses most, when it uses it more than once): those parcels carry the false
    names, and inherit the pattern as association (as a pattern's member accounts do)."""
    return f"""
    WITH e AS (SELECT * FROM {_ENDS} WHERE phone IS NOT NULL AND name <> ''),
    uses AS (SELECT phone, name, min(written) AS written, count(DISTINCT waybill) AS n FROM e GROUP BY phone, name),
    own AS (SELECT phone, name FROM uses WHERE n >= 2 QUALIFY n = max(n) OVER (PARTITION BY phone)),
    shown AS (SELECT phone, array_to_string(list(written ORDER BY n DESC, written)[1:6], ', ') AS names
              FROM uses GROUP BY phone)  -- the names as written on the waybills (one spelling each), most used first
    SELECT 'phone:' || e.phone AS subject,
           0.5 + 0.5 * least(1.0, (count(DISTINCT e.name) - {min_names}) / {min_names}.0) AS strength,
           printf('phone on %d waybills under %d different names: %s', count(DISTINCT e.waybill),
                  count(DISTINCT e.name), any_value(shown.names)) AS reason,
           list(DISTINCT e.waybill ORDER BY e.waybill) AS evidence,
           list_prepend('phone:' || e.phone,
                        coalesce(list(DISTINCT e.waybill ORDER BY e.waybill) FILTER (WHERE own.name IS NULL), []))
             AS members
    FROM e LEFT JOIN own ON own.phone = e.phone AND own.name = e.name JOIN shown ON shown.phone = e.phone
    GROUP BY e.phone HAVING count(DISTINCT e.name) >= {min_names}"""


@typology("third_party_pickup", "phone", 0.3, needs=("mx_shp",), min_count=2)
def third_party_pickup(min_count: int) -> str:
    """Parcels to one receiver phone collected by someone other than the named receiver, at least
    ``min_count`` times (a single pick-up by a relative is ordinary; a pattern is not)."""
    return f"""
    WITH p AS (SELECT waybill, receiver_phone, mx_name_key(receiver_name) AS rn, mx_name_key(picked_up_by) AS pn,
                      trim(picked_up_by) AS picked
               FROM mx_shp WHERE receiver_phone IS NOT NULL AND coalesce(trim(picked_up_by), '') <> '')
    SELECT 'phone:' || receiver_phone AS subject,
           0.5 + 0.5 * least(1.0, (count(*) - {min_count}) / {min_count}.0) AS strength,
           printf('%d parcels for this phone picked up by someone else than the named receiver (%s)', count(*),
                  array_to_string(list(DISTINCT picked ORDER BY picked)[1:5], ', ')) AS reason,  -- as written
           list(waybill ORDER BY waybill) AS evidence
    FROM p WHERE pn <> '' AND pn <> rn
    GROUP BY receiver_phone HAVING count(*) >= {min_count}"""


@typology("contents_weight_mismatch", "waybill", 0.4, needs=("mx_shp",), slack=0.25, cover_strength=1.0)
def contents_weight_mismatch(slack: float, cover_strength: float) -> str:
    """Declared contents whose honest weight range (``money/data/contents.yaml``, widened by ``slack``)
    excludes the parcel's weight; descriptions known as covers for wildlife products count even when the
    weight fits, at ``cover_strength`` times how specific a cover the file says they are."""
    return f"""
    WITH cat(name, pattern, min_g, max_g, cover) AS (VALUES {contents_values()}),
    m AS (SELECT s.waybill, s.declared_contents, s.weight_g, c.*,
                 s.weight_g BETWEEN c.min_g * (1 - {slack}) AND c.max_g * (1 + {slack}) AS fits
          FROM mx_shp s JOIN cat c ON regexp_matches(coalesce(s.declared_contents, ''), c.pattern)
          WHERE s.weight_g IS NOT NULL AND s.weight_g > 0),
    w AS (SELECT waybill, first(declared_contents) AS declared, first(weight_g) AS weight_g, bool_or(fits) AS fits,
                 max(cover) AS cover, list(printf('%s %.0f-%.0f g', name, min_g, max_g)) AS ranges
          FROM m GROUP BY waybill)
    SELECT waybill AS subject, CASE WHEN NOT fits THEN 1.0 ELSE {cover_strength} * cover END AS strength,
           CASE WHEN NOT fits THEN printf('declared "%s" but weighs %.0f g (expected %s)', declared, weight_g,
                                          array_to_string(ranges, '; '))
                ELSE printf('declared "%s": a description used as cover for wildlife products', declared) END
             AS reason,
           [waybill] AS evidence
    FROM w WHERE NOT fits OR cover > 0"""


_TRADER_PHONES = """
    trader_phones AS (
      SELECT value AS phone, min(account_id) AS account_id FROM mx_flagged WHERE kind = 'phone' GROUP BY value
      UNION
      SELECT f.value, min(m2.account_id) FROM mx_flagged f
      JOIN mx_traders m1 ON m1.account_id = f.account_id JOIN mx_traders m2 ON m2.trader_id = m1.trader_id
      WHERE f.kind = 'phone' GROUP BY f.value)"""


@typology("parcel_between_traders", "waybill", 0.45, needs=("mx_shp", "mx_flagged"))
def parcel_between_traders() -> str:
    """A parcel whose sender and receiver phones both belong to flagged sellers (or to accounts the
    linking stage put in the same trader as a flagged seller): goods may be moving along the chain, or
    sellers who know each other may be sending ordinary things; alone it stays under the alert threshold."""
    return f"""
    WITH {_TRADER_PHONES},
    tp AS (SELECT phone, min(account_id) AS account_id FROM trader_phones GROUP BY phone)
    SELECT s.waybill AS subject, 1.0 AS strength,
           printf('sender phone of flagged seller %s, receiver phone of flagged seller %s', a.account_id,
                  b.account_id) AS reason, [s.waybill] AS evidence
    FROM mx_shp s JOIN tp a ON a.phone = s.sender_phone JOIN tp b ON b.phone = s.receiver_phone"""


@typology("parcel_to_flagged_seller", "waybill", 0.4, needs=("mx_shp", "mx_flagged"))
def parcel_to_flagged_seller() -> str:
    """A parcel sent by the phone of a flagged seller (the seller delivering), or, at half strength, sent to
    it (a seller's own deliveries are mostly everyday ones); only one end is a flagged seller."""
    return f"""
    WITH {_TRADER_PHONES},
    tp AS (SELECT phone, min(account_id) AS account_id FROM trader_phones GROUP BY phone)
    SELECT s.waybill AS subject, CASE WHEN a.phone = s.sender_phone THEN 1.0 ELSE 0.5 END AS strength,
           printf('%s phone of flagged seller %s', CASE WHEN a.phone = s.sender_phone THEN 'sender' ELSE 'receiver' END,
                  a.account_id) AS reason, [s.waybill] AS evidence
    FROM mx_shp s JOIN tp a ON a.phone IN (s.sender_phone, s.receiver_phone)
    WHERE NOT (s.sender_phone IN (SELECT phone FROM tp) AND s.receiver_phone IN (SELECT phone FROM tp))"""


@typology("seizure_linked", "waybill", 0.8, needs=("mx_shp", "mx_seizures"))
def seizure_linked() -> str:
    """A parcel that was seized (same waybill), or that shares a phone with a seizure, weighed by the role
    the phone had: sent by the sender of a seized parcel (the trafficker shipping again) is strong; sent to
    its receiver (the buyer, who also gets everyday parcels) or carrying a phone a seizure record names
    without a role is a lead; the same phones in the other role (the buyer now sending) are weak."""
    return """
    WITH seized AS (SELECT z.id, s.waybill, s.sender_phone, s.receiver_phone FROM mx_seizures z
                    JOIN mx_shp s USING (waybill)),
    roles AS (SELECT id, sender_phone AS phone FROM seized UNION SELECT id, receiver_phone FROM seized),
    named AS (SELECT DISTINCT n.phone, z.id FROM mx_seizures z, unnest(z.phones) AS n(phone)
              WHERE n.phone IS NOT NULL AND NOT EXISTS (SELECT 1 FROM roles r WHERE r.id = z.id AND r.phone = n.phone)),
    hit AS (SELECT waybill, id, 1.0 AS strength, 'seized' AS how FROM seized
            UNION ALL SELECT s.waybill, x.id, 0.8, 'same sender as seized parcel' FROM mx_shp s
                      JOIN seized x ON x.sender_phone = s.sender_phone
            UNION ALL SELECT s.waybill, x.id, 0.5, 'same receiver as seized parcel' FROM mx_shp s
                      JOIN seized x ON x.receiver_phone = s.receiver_phone
            UNION ALL SELECT s.waybill, n.id, 0.5, 'phone named in seizure' FROM mx_shp s
                      JOIN named n ON n.phone IN (s.sender_phone, s.receiver_phone)
            UNION ALL SELECT s.waybill, x.id, 0.3, 'phone of seized parcel in the other role' FROM mx_shp s
                      JOIN seized x ON x.receiver_phone = s.sender_phone OR x.sender_phone = s.receiver_phone)
    SELECT waybill AS subject, max(strength) AS strength,
           printf('%s %s', arg_max(how, strength), array_to_string(list(DISTINCT id)[1:5], ', ')) AS reason,
           [waybill] AS evidence
    FROM hit WHERE waybill IS NOT NULL GROUP BY waybill"""


@typology("kyc_shared_phone", "account", 0.4, needs=("mx_kyc",), min_accounts=3, min_names=2)
def kyc_shared_phone(min_accounts: int, min_names: int) -> str:
    """One phone behind at least ``min_accounts`` payment accounts opened under ``min_names`` different
    holder names (stand-in holders with the organiser's real phone)."""
    return f"""
    WITH k AS (SELECT payment_account, holder_phone, mx_name_key(holder_name) AS name FROM mx_kyc
               WHERE holder_phone IS NOT NULL),
    g AS (SELECT holder_phone, count(DISTINCT payment_account) AS n, count(DISTINCT name) AS names,
                 list(DISTINCT payment_account) AS accounts
          FROM k GROUP BY holder_phone HAVING count(DISTINCT payment_account) >= {min_accounts}
                                        AND count(DISTINCT name) >= {min_names})
    SELECT unnest(accounts) AS subject, 0.5 + 0.5 * least(1.0, (n - {min_accounts}) / {min_accounts}.0) AS strength,
           printf('KYC phone %s shared by %d payment accounts under %d names', holder_phone, n, names) AS reason,
           CAST([] AS VARCHAR[]) AS evidence
    FROM g"""
