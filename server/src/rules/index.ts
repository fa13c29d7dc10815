import type { Rule } from '../engine/rule-types';
import sqlInjection from './sql-injection';
import commandInjection from './command-injection';
import codeInjection from './code-injection';
import unsafeDeserialization from './unsafe-deserialization';
import unsafeXmlParsing from './unsafe-xml-parsing';
import pathTraversal from './path-traversal';
import openRedirect from './open-redirect';
import ssrf from './ssrf';
import reflectedXss from './reflected-xss';
import weakRandom from './weak-random';
import insecureCookie from './insecure-cookie';
import mfaHint from './mfa-hint';
import logInjection from './log-injection';
import unloggedAuthFailure from './unlogged-auth-failure';
import swallowedException from './swallowed-exception';
import weakPasswordPolicy from './weak-password-policy';
import csrfDisabled from './csrf-disabled';
import insecureJwt from './insecure-jwt';
import weakHash from './weak-hash';
import weakPasswordHash from './weak-password-hash';
import tlsVerificationDisabled from './tls-verification-disabled';
import cleartextHttp from './cleartext-http';
import weakCipher from './weak-cipher';
import hardcodedSecret from './hardcoded-secret';
import sensitiveDataInLogs from './sensitive-data-in-logs';
import corsMisconfiguration from './cors-misconfiguration';
import templateInjection from './template-injection';
import unsafeMarkup from './unsafe-markup';
import jinjaAutoescapeDisabled from './jinja-autoescape-disabled';
import ldapInjection from './ldap-injection';
import xpathInjection from './xpath-injection';
import trustBoundaryViolation from './trust-boundary-violation';
import headerInjection from './header-injection';
import unsafeArchiveExtraction from './unsafe-archive-extraction';
import debugMode from './debug-mode';
import nosqlInjection from './nosql-injection';
import domXss from './dom-xss';
import angularBypassSecurityTrust from './angular-bypass-security-trust';
import reactDangerouslySetInnerHtml from './react-dangerously-set-inner-html';
import vueVHtml from './vue-v-html';
import xmlExternalEntity from './xml-external-entity';
import iamAdminPolicy from './iam-admin-policy';
import iamWildcardAction from './iam-wildcard-action';
import iamWildcardResource from './iam-wildcard-resource';
import iamPrivilegeEscalation from './iam-privilege-escalation';
import iamNotAction from './iam-not-action';
import iamPublicPrincipal from './iam-public-principal';
import s3PublicAccess from './s3-public-access';
import openAdminPort from './open-admin-port';
import unencryptedStorage from './unencrypted-storage';
import publicDatabase from './public-database';
import instanceMetadataV1 from './instance-metadata-v1';
import vulnerableDependency from './vulnerable-dependency';
import missingCsp from './missing-csp';
import insecureTempFile from './insecure-temp-file';
import permissiveFilePermissions from './permissive-file-permissions';
import bindAllInterfaces from './bind-all-interfaces';
import regexInjection from './regex-injection';
import unsafeRegex from './unsafe-regex';
import bidiCharacters from './bidi-characters';
import timingUnsafeComparison from './timing-unsafe-comparison';
import templateEscapingDisabled from './template-escaping-disabled';
import templateUnescapedOutput from './template-unescaped-output';
import unsafeBufferApi from './unsafe-buffer-api';
import containerRunsAsRoot from './container-runs-as-root';
import unpinnedImage from './unpinned-image';
import sshPortExposed from './ssh-port-exposed';
import unverifiedDownload from './unverified-download';
import addInsteadOfCopy from './add-instead-of-copy';
import packageSignatureDisabled from './package-signature-disabled';
import sudoInContainer from './sudo-in-container';
import secretFileInImage from './secret-file-in-image';
import privilegedContainer from './privileged-container';
import privilegeEscalationAllowed from './privilege-escalation-allowed';
import hostNamespaceShared from './host-namespace-shared';
import sensitiveHostMount from './sensitive-host-mount';
import dangerousCapabilities from './dangerous-capabilities';
import writableRootFilesystem from './writable-root-filesystem';
import seccompUnconfined from './seccomp-unconfined';
import rbacWildcard from './rbac-wildcard';
import clusterAdminBinding from './cluster-admin-binding';
import rbacSecretsAccess from './rbac-secrets-access';
import rbacPrivilegeEscalation from './rbac-privilege-escalation';
import rbacAnonymousBinding from './rbac-anonymous-binding';
import missingAuthorization from './missing-authorization';
import insecureDirectObjectReference from './insecure-direct-object-reference';
// access control in code (issue 12)
import clientControlledAuthorization from './client-controlled-authorization';
import sessionFixation from './session-fixation';
import loginWithoutRateLimit from './login-without-rate-limit';

/** Every rule. One file per rule in this folder; its docs in docs/rules/<id>.md, its fixtures in test/fixtures/<id>/. */
export const rules: Rule[] = [
  // injection and data-flow rules shared by both languages
  sqlInjection,
  commandInjection,
  codeInjection,
  unsafeDeserialization,
  unsafeXmlParsing,
  pathTraversal,
  openRedirect,
  ssrf,
  reflectedXss,
  weakRandom,
  insecureCookie,
  // JavaScript/TypeScript-only rules (issue 3)
  nosqlInjection,
  domXss,
  angularBypassSecurityTrust,
  reactDangerouslySetInnerHtml,
  vueVHtml,
  regexInjection,
  unsafeRegex,
  bidiCharacters,
  timingUnsafeComparison,
  templateEscapingDisabled,
  templateUnescapedOutput,
  unsafeBufferApi,
  // Python-only rules (issue 4)
  templateInjection,
  unsafeMarkup,
  jinjaAutoescapeDisabled,
  ldapInjection,
  xpathInjection,
  trustBoundaryViolation,
  headerInjection,
  unsafeArchiveExtraction,
  // authentication, sessions, sensitive data, configuration, logging (issue 6)
  mfaHint,
  logInjection,
  unloggedAuthFailure,
  swallowedException,
  weakPasswordPolicy,
  csrfDisabled,
  insecureJwt,
  weakHash,
  weakPasswordHash,
  tlsVerificationDisabled,
  cleartextHttp,
  weakCipher,
  hardcodedSecret,
  sensitiveDataInLogs,
  corsMisconfiguration,
  debugMode,
  missingCsp,
  insecureTempFile,
  permissiveFilePermissions,
  bindAllInterfaces,
  // XML, YAML and other file types
  xmlExternalEntity,
  // Dockerfiles and shell scripts
  unverifiedDownload,
  addInsteadOfCopy,
  packageSignatureDisabled,
  sudoInContainer,
  secretFileInImage,
  // Kubernetes manifests, kubeconfig and compose files (issue 10)
  containerRunsAsRoot,
  unpinnedImage,
  sshPortExposed,
  // AWS: IAM policies, CloudFormation, Terraform (issue 10)
  iamAdminPolicy,
  iamWildcardAction,
  iamWildcardResource,
  iamPrivilegeEscalation,
  iamNotAction,
  iamPublicPrincipal,
  s3PublicAccess,
  openAdminPort,
  unencryptedStorage,
  publicDatabase,
  instanceMetadataV1,
  privilegedContainer,
  privilegeEscalationAllowed,
  hostNamespaceShared,
  sensitiveHostMount,
  dangerousCapabilities,
  writableRootFilesystem,
  seccompUnconfined,
  rbacWildcard,
  clusterAdminBinding,
  rbacSecretsAccess,
  rbacPrivilegeEscalation,
  rbacAnonymousBinding,
  // manifests, lockfiles and vendored libraries
  vulnerableDependency,
  // access control (issue 12)
  missingAuthorization,
  insecureDirectObjectReference,
  clientControlledAuthorization,
  sessionFixation,
  loginWithoutRateLimit,
];
