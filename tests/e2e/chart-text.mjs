// What the chart draws as text, and whether the log shows its newest line: checks on the
// page's layout, through the page interface of harness.mjs (any engine).

// Records the text the page draws on its canvases, with where and how wide (measured in the
// font it is drawn in), for checks on the chart's labels. Call before the first navigation.
// A canvas's record restarts whenever it is filled whole (a redraw starts that way).
export async function recordCanvasText(page) {
  await page.addInitScript(() => {
    const records = new WeakMap();
    window.canvasText = (canvas) => records.get(canvas) ?? [];
    const proto = CanvasRenderingContext2D.prototype;
    const { fillRect, fillText } = proto;
    proto.fillRect = function (x, y, width, height) {
      if (x <= 0 && y <= 0 && width >= this.canvas.width && height >= this.canvas.height) records.set(this.canvas, []);
      return fillRect.call(this, x, y, width, height);
    };
    proto.fillText = function (text, x, y, ...rest) {
      const at = this.getTransform().transformPoint(new DOMPoint(x, y));
      const list = records.get(this.canvas) ?? [];
      list.push({ text: String(text), x: at.x, y: at.y, align: this.textAlign, baseline: this.textBaseline, width: this.measureText(text).width, rotated: this.getTransform().b !== 0 });
      records.set(this.canvas, list);
      return fillText.call(this, text, x, y, ...rest);
    };
  });
}

// The chart's epoch tick labels (centred integers under the plots, one row for all panels
// side by side), left to right, in device pixels: [{ text, left, right }]. Needs
// recordCanvasText.
export function epochLabels(page) {
  return page.evaluate(() => {
    const texts = window.canvasText(document.getElementById('chart'));
    const labels = texts.filter((t) => t.align === 'center' && t.baseline === 'top' && !t.rotated && /^\d+$/.test(t.text));
    const row = Math.max(...labels.map((t) => t.y));
    return labels
      .filter((t) => Math.abs(t.y - row) < 1)
      .map((t) => ({ text: t.text, left: t.x - t.width / 2, right: t.x + t.width / 2 }))
      .sort((a, b) => a.left - b.left);
  });
}

// Whether the last line of the log box is inside the box's visible part.
export function logShowsNewestLine(page) {
  return page.evaluate(() => {
    const log = document.getElementById('log');
    const text = log.firstChild;
    if (!text || !text.textContent.trim()) return false;
    const end = text.textContent.trimEnd().length;
    const range = document.createRange();
    range.setStart(text, text.textContent.lastIndexOf('\n', end - 1) + 1);
    range.setEnd(text, end);
    const line = range.getBoundingClientRect();
    const box = log.getBoundingClientRect();
    return line.height > 0 && line.top >= box.top && line.bottom <= box.bottom;
  });
}
