from odoo import models
from odoo.tools import SQL


class ResUsers(models.Model):
    _inherit = "res.users"

    def unlink(self):
        """Detach the care log from these users and their activities in one statement.

        Deleting a user clears a log's assignee and, through its activities, the log's
        activity: two cascades PostgreSQL runs in an order of its own, which fails the
        foreign-key check of a log written in the same transaction. The engine cancels
        the open logs left without an activity on its next run, as for any activity
        removed in SQL.
        """
        if self.ids:
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE customer_care_log l
                       SET user_id = CASE WHEN l.user_id IN %(users)s THEN NULL
                                          ELSE l.user_id END,
                           activity_id = CASE WHEN a.id IS NULL THEN l.activity_id END
                      FROM customer_care_log l2
                      LEFT JOIN mail_activity a
                        ON a.id = l2.activity_id AND a.user_id IN %(users)s
                     WHERE l.id = l2.id AND (l2.user_id IN %(users)s OR a.id IS NOT NULL)
                    """,
                    users=tuple(self.ids),
                )
            )
            self.env["customer.care.log"].invalidate_model(["user_id", "activity_id"])
        return super().unlink()
