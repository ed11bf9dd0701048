// What the board keeps in this browser (the signed-in person's profile for offline opening, the locations,
// the last location and roles seen) is theirs: signing out forgets all of it, so the next person at a
// shared computer finds nothing of the last one's.
const PREFIX = 'shiftstack.';

export function forgetBrowserData(storage: Storage = localStorage): void {
  try {
    const keys = Array.from({ length: storage.length }, (_, i) => storage.key(i)).filter(
      (key): key is string => key?.startsWith(PREFIX) ?? false,
    );
    for (const key of keys) storage.removeItem(key);
  } catch {
    // Storage disabled: nothing was kept.
  }
}
