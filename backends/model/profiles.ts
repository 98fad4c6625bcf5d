/** Cost profiles: JSON files in backends/model/profiles/, or a user's file. */
import type { ProfileData } from '../types.js';

export class ProfileError extends Error {}

export interface ProfileInfo {
  readonly name: string;
  readonly description: string;
}

export function listProfiles(): ProfileInfo[] {
  return [];
}

/** Load a profile by name or path; throws ProfileError naming the file and field. */
export function loadProfile(nameOrPath: string): { name: string; data: ProfileData } {
  throw new ProfileError(`unknown profile '${nameOrPath}'`);
}

export const DEFAULT_PROFILE = 'skylake-client';
