-- The province's quarter indicators 2.1, 3.3, 3.6, 4.1, 5.4 (numerator and denominator each)
-- straight from one row per dossier, as the rollups count them (crates/domain/src/indicator/
-- facts.rs): flows on days inside [:FIRST, :LAST], stocks (open, open and late) judged at
-- :LAST. The same text runs on PostgreSQL, SQLite and DuckDB (dates compare as dates there,
-- as ISO text in SQLite); bench/indicators/run.sh substitutes :FIRST and :LAST.
WITH m AS (
  SELECT
    SUM(CASE WHEN received_day BETWEEN ':FIRST' AND ':LAST' THEN 1 ELSE 0 END) AS received,
    SUM(CASE WHEN received_day BETWEEN ':FIRST' AND ':LAST' THEN online ELSE 0 END) AS received_online,
    SUM(CASE WHEN received_day BETWEEN ':FIRST' AND ':LAST' THEN fee_bearing ELSE 0 END) AS fee_dossiers,
    SUM(CASE WHEN received_day BETWEEN ':FIRST' AND ':LAST' AND fee_bearing = 1 AND paid_online = 1
        THEN 1 ELSE 0 END) AS fee_paid_online,
    SUM(CASE WHEN received_day BETWEEN ':FIRST' AND ':LAST' THEN digitised ELSE 0 END) AS digitised,
    SUM(CASE WHEN received_day IS NOT NULL AND end_day BETWEEN ':FIRST' AND ':LAST'
        AND end_kind IN ('decided', 'stopped') AND verdict IS NOT NULL THEN 1 ELSE 0 END) AS finished,
    SUM(CASE WHEN received_day IS NOT NULL AND end_day BETWEEN ':FIRST' AND ':LAST'
        AND end_kind IN ('decided', 'stopped') AND verdict IN ('early', 'on_time')
        THEN 1 ELSE 0 END) AS finished_on_time,
    SUM(CASE WHEN received_day IS NOT NULL AND end_day BETWEEN ':FIRST' AND ':LAST'
        AND end_kind IN ('decided', 'stopped') AND verdict IS NOT NULL
        AND (rating >= 4 OR (rating IS NULL AND verdict IN ('early', 'on_time')))
        THEN 1 ELSE 0 END) AS satisfied,
    SUM(CASE WHEN received_day <= ':LAST' AND (end_day IS NULL OR end_day > ':LAST')
        THEN 1 ELSE 0 END) AS open_at_end,
    SUM(CASE WHEN received_day <= ':LAST' AND (end_day IS NULL OR end_day > ':LAST')
        AND late_from <= ':LAST' THEN 1 ELSE 0 END) AS late_open_at_end
  FROM dossier_facts
)
SELECT finished_on_time + open_at_end - late_open_at_end AS n21, finished + open_at_end AS d21,
       received_online AS n33, received AS d33,
       fee_paid_online AS n36, fee_dossiers AS d36,
       digitised AS n41, received AS d41,
       satisfied AS n54, finished AS d54
FROM m;
