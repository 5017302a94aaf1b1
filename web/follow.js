// Follow-the-bottom for a scrolling list that grows while the reader watches:
// the transcript, the wire view and the clock's ticks.

/** How close to the bottom a reader must scroll for the box to follow again. */
const NEAR_BOTTOM_PX = 40;

/**
 * Keeps a scrolling list at its bottom while the reader is there, so every
 * new item stays in view; scrolling up to read stops that until the reader
 * comes back to the bottom. A wheel, touch or key gesture upwards stops it at
 * once, before the scroll lands, so an item arriving in between cannot pull
 * the reader back down.
 */
export class Follower {
  constructor(box) {
    this.box = box;
    this.pinned = true;
    this.lastTop = 0;
    this.touchY = 0;
    const passive = { passive: true };
    box.addEventListener("scroll", () => this.scrolled(), passive);
    box.addEventListener("wheel", (e) => { if (e.deltaY < 0) this.unpin(); }, passive);
    box.addEventListener("touchstart", (e) => { this.touchY = e.touches[0].clientY; }, passive);
    box.addEventListener("touchmove", (e) => { if (e.touches[0].clientY > this.touchY) this.unpin(); }, passive);
    box.addEventListener("keydown", (e) => { if (["ArrowUp", "PageUp", "Home"].includes(e.key)) this.unpin(); });
    new ResizeObserver(() => this.follow()).observe(box);
  }

  unpin() {
    if (this.box.scrollTop > 0) this.pinned = false;
  }

  /** Moving up (and not merely clamped at the bottom) unpins; reaching the bottom pins. */
  scrolled() {
    const top = this.box.scrollTop;
    const gap = this.box.scrollHeight - this.box.clientHeight - top;
    if (top < this.lastTop && gap > 1) this.pinned = false;
    else if (gap <= NEAR_BOTTOM_PX) this.pinned = true;
    this.lastTop = top;
  }

  /** Call after adding content: back to the bottom if following. */
  follow() {
    if (this.pinned) this.box.scrollTop = this.box.scrollHeight;
  }

  /** The user started something new: show the newest, whatever they were reading. */
  pin() {
    this.pinned = true;
    this.follow();
  }
}
