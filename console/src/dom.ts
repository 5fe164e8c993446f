// A few lines instead of a framework: elements built from attributes and children, text always set
// as text (never as HTML), so nothing an activity's subject holds can become markup.
export type Child = Node | string | number | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

export function on<E extends keyof HTMLElementEventMap>(
  element: HTMLElement,
  type: E,
  listener: (event: HTMLElementEventMap[E]) => void,
): HTMLElement {
  element.addEventListener(type, listener);
  return element;
}

/**
 * Re-renders `container` and puts the keyboard focus back on the element that had it (found again by
 * its data-testid and, for rows, its data-activity-id / queue / user id), so that a refresh from the
 * live stream or after an action never throws a keyboard user back to the top of the page.
 */
export function keepingFocus(container: HTMLElement, render: () => void): void {
  const active = document.activeElement;
  const inside = active instanceof HTMLElement && container.contains(active);
  const testid = inside ? active.getAttribute('data-testid') : null;
  const keys = ['data-activity-id', 'data-queue-id', 'data-user-id'];
  const key = inside ? keys.find((k) => active.hasAttribute(k)) : undefined;
  render();
  if (!testid) return;
  const selector = `[data-testid="${testid}"]${key ? `[${key}="${active!.getAttribute(key)}"]` : ''}`;
  const again = container.querySelector<HTMLElement>(selector);
  if (again && !(again as HTMLButtonElement).disabled) again.focus();
  else container.querySelector<HTMLElement>('button:not(:disabled), input:not(:disabled)')?.focus();
}
