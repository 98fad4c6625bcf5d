/**
 * Rows from the SGX driver emulator (`--device emu:…`) carry a profile that starts with
 * `emulated:`. Every report keys its series on (backend, profile), so an emulated row never
 * shares a series, a line or a ratio with a hardware row; this module is the one home of the
 * prefix and of the sentence reports print when such rows are present.
 */
export const EMULATED_PREFIX = 'emulated:';

/** The profile an emulated row carries for a case run with profile `profile`. */
export function emulatedProfile(profile: string): string {
  return `${EMULATED_PREFIX}${profile}`;
}

export function isEmulatedProfile(profile: string): boolean {
  return profile.startsWith(EMULATED_PREFIX);
}

/** What a report says once when some of its rows are emulated. */
export const EMULATED_NOTE =
  "Rows whose profile starts with 'emulated:' come from the SGX driver emulator (--device emu:…): their wall times are costs the emulator spun, not SGX hardware; they are their own series and are never compared with hardware rows.";
