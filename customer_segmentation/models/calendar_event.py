from odoo import api, models
from odoo.tools import SQL


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    @api.model_create_multi
    def create(self, vals_list):
        events = super().create(vals_list)
        events._enqueue_attendees()
        return events

    def write(self, vals):
        result = super().write(vals)
        if {"start", "stop", "partner_ids", "active"} & set(vals):
            self._enqueue_attendees()
        return result

    def _enqueue_attendees(self):
        """A meeting is an interaction with its attendees' customers: queue them."""
        self.env.flush_all()
        self.env["customer.segmentation.queue"]._enqueue_classified(
            SQL(
                "SELECT rp.commercial_partner_id FROM calendar_event_res_partner_rel a "
                "JOIN res_partner rp ON rp.id = a.res_partner_id "
                "WHERE a.calendar_event_id = ANY(%s)",
                self.ids,
            )
        )
