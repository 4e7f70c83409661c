-- The verdict inputs of a movement-year's data criteria, in plain SQL (PostgreSQL, DuckDB and
-- SQLite alike), one row per subject that fails one: (criterion, subject, a, b).
--   TT3 (unit): a = late dossiers finished in the year, b = late and still open at the
--               judging day (backlog), over the units the participant answers for;
--   TT1 (unit): a = tasks due in the year done late or overdue (cancelled ones excepted);
--   TT4 (unit): a = reports due in the year submitted late, found incomplete or missing;
--   CN4 (person): a, b as TT3 over the dossiers the person handled.
-- Tables: dossier_facts, dossier_handlers, plan_tasks, report_obligations, accounts, and
-- unit_owner(member, participant) (which participant answers for which unit in the year).
-- :FIRST = first day of the year, :LAST = its last day, :JUDGED = min(last day, today).
WITH late AS (
  SELECT code, unit,
         CASE WHEN verdict = 'late' AND end_day >= ':FIRST' AND end_day <= ':JUDGED'
              THEN 1 ELSE 0 END AS fin
  FROM dossier_facts
  WHERE (verdict = 'late' AND end_day >= ':FIRST' AND end_day <= ':JUDGED')
     OR (((verdict = 'late' AND end_day >= ':FIRST') OR (verdict IS NULL AND late_from <= ':JUDGED'))
         AND received_day <= ':JUDGED' AND (end_day IS NULL OR end_day > ':JUDGED')
         AND late_from <= ':JUDGED')
),
unit_late AS (
  SELECT 'TT3' AS criterion, o.participant AS subject, SUM(l.fin) AS a, SUM(1 - l.fin) AS b
  FROM late l JOIN unit_owner o ON o.member = l.unit
  GROUP BY o.participant
),
person_late AS (
  SELECT 'CN4' AS criterion, h.account AS subject, SUM(l.fin) AS a, SUM(1 - l.fin) AS b
  FROM late l
  JOIN dossier_handlers h ON h.code = l.code
  JOIN accounts s ON s.id = h.account AND s.role IN ('officer', 'leader') AND s.unit_id IS NOT NULL
  GROUP BY h.account
),
tasks AS (
  SELECT 'TT1' AS criterion, o.participant AS subject, COUNT(*) AS a, 0 AS b
  FROM plan_tasks t JOIN unit_owner o ON o.member = t.lead_unit
  WHERE t.deadline >= ':FIRST' AND t.deadline <= ':LAST' AND t.status <> 'huy'
    AND CASE WHEN t.status = 'hoan-thanh' AND t.done_on <= ':JUDGED'
             THEN t.done_on > t.deadline
             ELSE ':JUDGED' > t.deadline END
  GROUP BY o.participant
),
reports AS (
  SELECT 'TT4' AS criterion, o.participant AS subject, COUNT(*) AS a, 0 AS b
  FROM report_obligations r JOIN unit_owner o ON o.member = r.unit
  WHERE r.due >= ':FIRST' AND r.due <= ':LAST'
    AND CASE WHEN r.submitted_on <= ':JUDGED'
             THEN r.complete = 0 OR r.submitted_on > r.due
             ELSE ':JUDGED' > r.due END
  GROUP BY o.participant
)
SELECT criterion, subject, a, b FROM unit_late
UNION ALL SELECT criterion, subject, a, b FROM person_late
UNION ALL SELECT criterion, subject, a, b FROM tasks
UNION ALL SELECT criterion, subject, a, b FROM reports
ORDER BY 1, 2;
