"""Satisfaction scores of the care activities: the scale, the classes and the per-customer
figures in SQL, shared by the activities, the customers, the rules and the metrics."""

from odoo.tools import SQL

SATISFACTION_SCORES = [
    ("1", "1 - Very Unsatisfied"),
    ("2", "2 - Unsatisfied"),
    ("3", "3 - Neutral"),
    ("4", "4 - Satisfied"),
    ("5", "5 - Very Satisfied"),
]
SATISFACTION_CLASSES = [
    ("unsatisfied", "Unsatisfied"),
    ("neutral", "Neutral"),
    ("satisfied", "Satisfied"),
]
# {class: (lowest score, highest score)}, from the customer's last score.
SATISFACTION_CLASS_SCORES = {"unsatisfied": (1, 2), "neutral": (3, 3), "satisfied": (4, 5)}


def satisfaction_class(score):
    return next(
        (code for code, (low, high) in SATISFACTION_CLASS_SCORES.items() if low <= score <= high),
        False,
    )


def satisfaction_class_sql(score):
    """The class of the score expression ``score`` (an SQL), NULL without a score."""
    return SQL(
        "CASE %s END",
        SQL(" ").join(
            SQL("WHEN %s BETWEEN %s AND %s THEN %s", score, low, high, code)
            for code, (low, high) in SATISFACTION_CLASS_SCORES.items()
        ),
    )


def satisfaction_sql(company_id):
    """(partner_id, avg_score, last_score) of every customer with a satisfaction score on a
    done care action of the company: the mean of the scores and the score of the action done
    last (the latest created on the same day)."""
    return SQL(
        """SELECT l.partner_id, AVG(l.satisfaction::int)::float AS avg_score,
                  (ARRAY_AGG(l.satisfaction::int ORDER BY l.date_done DESC, l.id DESC))[1]
                      AS last_score
             FROM customer_care_log l
            WHERE l.company_id = %s AND l.state = 'done' AND l.satisfaction IS NOT NULL
            GROUP BY l.partner_id""",
        company_id,
    )
