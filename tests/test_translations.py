"""Every user-visible string of the three addons is in the shipped .pot and translated in
zh_CN.po, and the Chinese terms load into the database."""

from pathlib import Path

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

REPO = Path(__file__).resolve().parent.parent
ADDONS = (
    "customer_segmentation",
    "channel_attribution",
    "customer_care",
    "customer_clv",
    "customer_care_loyalty",
    "customer_care_mass_mailing",
)


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def _source_terms(self, addon):
        reader = TranslationModuleReader(self.env.cr, modules=[addon])
        return {source for module, _type, _name, _id, source, _v, _c in reader if module == addon}

    def test_pot_is_up_to_date(self):
        for addon in ADDONS:
            pot = {
                entry.msgid for entry in polib.pofile(str(REPO / addon / "i18n" / f"{addon}.pot"))
            }
            missing = self._source_terms(addon) - pot
            self.assertEqual(sorted(missing)[:10], [], f"{addon}.pot is outdated: run make pot")

    def test_zh_cn_is_complete(self):
        for addon in ADDONS:
            po = polib.pofile(str(REPO / addon / "i18n" / "zh_CN.po"))
            translated = {entry.msgid for entry in po if entry.msgstr and not entry.obsolete}
            missing = self._source_terms(addon) - translated
            self.assertEqual(sorted(missing)[:10], [], f"{addon}/i18n/zh_CN.po is incomplete")

    def test_chinese_labels_load(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"].search([("name", "in", ADDONS)])._update_translations(
            ["zh_CN"]
        )
        Profile = self.env["customer.profile"].with_context(lang="zh_CN")
        stages = dict(Profile._fields["lifecycle_stage"]._description_selection(Profile.env))
        self.assertNotEqual(stages["churned"], "Churned")
