"""The version for the visually impaired (ГОСТ Р 52872-2019, 7.1): font size ×1.5 or ×2,
black on white or white on black, images off, wider spacing between letters.

The mode is one short token — ``off`` or ``<size>-<scheme>-<images>-<spacing>``, e.g.
``150-bw-img-normal`` — kept in two places: a cookie (the browser remembers it, also before
sign-in) and ``User.vision_mode`` (the person gets it on any computer).  A signed-in person's
own choice wins over the browser's; a person who has never chosen gets the browser's.  The
page is marked by classes on ``<html>`` (static/css/vision.css); nothing of it reaches the
documents (PDF, .docx, xlsx), which are rendered without a request."""

from dataclasses import dataclass, replace

COOKIE_NAME = "opora_vision"
COOKIE_MAX_AGE = 365 * 24 * 3600

SIZES = (100, 150, 200)
SCHEMES = ("bw", "wb", "color")  # black on white, white on black, the portal's own colours
SPACINGS = ("normal", "medium", "wide")


@dataclass(frozen=True)
class VisionMode:
    on: bool = False
    size: int = 150
    scheme: str = "bw"
    images: bool = True
    spacing: str = "normal"

    @property
    def token(self) -> str:
        if not self.on:
            return "off"
        return f"{self.size}-{self.scheme}-{'img' if self.images else 'noimg'}-{self.spacing}"

    @classmethod
    def parse(cls, token: str | None) -> "VisionMode | None":
        """The mode a token stands for; None for an empty or malformed token (not chosen)."""
        if not token:
            return None
        if token == "off":
            return cls()
        parts = token.split("-")
        if len(parts) != 4:
            return None
        size, scheme, images, spacing = parts
        if not size.isdigit() or int(size) not in SIZES or scheme not in SCHEMES or spacing not in SPACINGS:
            return None
        if images not in ("img", "noimg"):
            return None
        return cls(on=True, size=int(size), scheme=scheme, images=images == "img", spacing=spacing)

    def changed(self, data) -> "VisionMode":
        """This mode with the choices of a submitted form applied (unknown values ignored)."""
        mode = self
        if data.get("mode") in ("on", "off"):
            mode = replace(mode, on=data["mode"] == "on")
        if str(data.get("size", "")).isdigit() and int(data["size"]) in SIZES:
            mode = replace(mode, on=True, size=int(data["size"]))
        if data.get("scheme") in SCHEMES:
            mode = replace(mode, on=True, scheme=data["scheme"])
        if data.get("images") in ("on", "off"):
            mode = replace(mode, on=True, images=data["images"] == "on")
        if data.get("spacing") in SPACINGS:
            mode = replace(mode, on=True, spacing=data["spacing"])
        return mode

    @property
    def html_class(self) -> str:
        """Classes for <html>: none when the mode is off."""
        if not self.on:
            return ""
        classes = ["vision", f"vision-size-{self.size}", f"vision-{self.scheme}", f"vision-spacing-{self.spacing}"]
        if not self.images:
            classes.append("vision-noimg")
        return " ".join(classes)

    @property
    def large(self) -> bool:
        """Text so large that the navigation no longer fits one line on a desktop."""
        return self.on and self.size > 100


def vision_mode(request) -> VisionMode:
    """The mode of this request: the signed-in person's choice, else the browser's, else off."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        mode = VisionMode.parse(getattr(user, "vision_mode", ""))
        if mode is not None:
            return mode
    return VisionMode.parse(request.COOKIES.get(COOKIE_NAME)) or VisionMode()


def remember(request, response, mode: VisionMode) -> None:
    """Keep ``mode`` in the browser's cookie and, for a signed-in person, on the person."""
    response.set_cookie(
        COOKIE_NAME, mode.token, max_age=COOKIE_MAX_AGE, samesite="Lax", secure=request.is_secure(), httponly=True
    )
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.vision_mode != mode.token:
        user.vision_mode = mode.token
        user.save(update_fields=["vision_mode"])
