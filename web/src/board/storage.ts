// The board's small memories in this browser (last location, each location's roles): a nicety, so private
// mode or a full storage never breaks the page.
export function safeGet(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function safeSet(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private mode or storage full: remembering is a nicety.
  }
}
