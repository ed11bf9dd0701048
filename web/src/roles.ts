import type { Role } from '@shiftstack/contract';

// Eight calm hues that keep 4.5:1 contrast for dark text on their light tint. Colour is never the only cue:
// every block also prints the role's name.
const PALETTE = ['#2f6fb3', '#2e8a57', '#b5542a', '#7a4bb0', '#a23a62', '#2a8791', '#8a7320', '#5a6472'];

export function roleColor(roleId: number | null | undefined, roles: Role[]): string {
  if (roleId == null) return '#6b7280';
  const index = roles.findIndex((r) => r.id === roleId);
  return PALETTE[(index >= 0 ? index : roleId) % PALETTE.length] ?? '#6b7280';
}

export function roleName(roleId: number | null | undefined, roles: Role[]): string {
  if (roleId == null) return 'No role';
  return roles.find((r) => r.id === roleId)?.name ?? 'Role';
}
