"""The skills a member can offer, in the order the profile form lists them."""

from hub.i18n import N_

SKILLS: dict[str, str] = {
    "electrics": N_("Electrics"),
    "plumbing": N_("Plumbing"),
    "carpentry": N_("Carpentry"),
    "locks": N_("Locks"),
    "cleaning": N_("Cleaning"),
    "first_aid": N_("First aid"),
    "it": N_("IT"),
    "translation": N_("Translation"),
    "other": N_("Other"),
}
