/** Users, groups and API tokens; passwords hashed with scrypt, tokens stored only as hashes. */
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
  SESSION_SECONDS,
  type TokenInfo,
  type User,
  type UserService,
  type UserServiceOptions,
} from './service.ts';
