/**
 * Users, groups and API tokens; passwords hashed with scrypt (or checked by an LDAP directory), tokens stored only
 * as hashes.
 */

export { type Directory, type DirectoryAccount, openDirectory } from './ldap-directory.ts';
export {
  createPasswordHasher,
  DEFAULT_HASHING_LIMITS,
  type HashingLimits,
  type PasswordHasher,
} from './passwords.ts';
export {
  type CreatedToken,
  createUserService,
  DEFAULT_ADMIN,
  type Group,
  type NewToken,
  type PasswordChange,
  passwordInDirectory,
  SESSION_SECONDS,
  type TokenInfo,
  type User,
  type UserService,
  type UserServiceOptions,
} from './service.ts';
