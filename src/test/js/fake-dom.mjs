// Just enough of a DOM for the test page's modules (js/page/): elements with children, dataset,
// classList and text, and tables with one tbody whose rows are its children.
export class FakeElement {
  constructor(tag, ownerDocument) {
    this.tag = tag;
    this.ownerDocument = ownerDocument;
    this.children = [];
    this.dataset = {};
    this.textContent = '';
    this.hidden = false;
    this.disabled = false;
    this.value = '';
    this.placeholder = '';
    const classes = new Set();
    this.classList = {
      add: (c) => classes.add(c),
      contains: (c) => classes.has(c),
      toggle: (c, on) => (on ? classes.add(c) : classes.delete(c)),
    };
  }
  appendChild(child) {
    this.children.push(child);
    return child;
  }
  append(...nodes) {
    for (const n of nodes) this.children.push(n);
  }
  insertBefore(child, before) {
    const i = before ? this.children.indexOf(before) : -1;
    if (i < 0) this.children.push(child);
    else this.children.splice(i, 0, child);
    return child;
  }
  replaceChildren() {
    this.children = [];
  }
  get firstChild() {
    return this.children[0] ?? null;
  }
  // a tbody
  get rows() {
    return this.children;
  }
  deleteRow(i) {
    this.children.splice(i, 1);
  }
  // a table
  get tBodies() {
    if (!this._tbody) this._tbody = new FakeElement('tbody', this.ownerDocument);
    return [this._tbody];
  }
  /** the text of each cell, for a row */
  get cells() {
    return this.children.map((td) => td.textContent);
  }
}

export class FakeDocument {
  constructor() {
    this.byId = new Map();
  }
  createElement(tag) {
    return new FakeElement(tag, this);
  }
  /** the element with this id, created on first use */
  get(id) {
    if (!this.byId.has(id)) this.byId.set(id, new FakeElement('div', this));
    return this.byId.get(id);
  }
  querySelectorAll() {
    return [];
  }
}
