// obsv/scope_policy.h: the conflict policy shared by the tenant-scoping
// injectors of obsv/promql_scope.h and obsv/logql_scope.h.
//
//   obsv::promql::InjectOptions p;  p.policy = obsv::ConflictPolicy::kReplace;
//   obsv::logql::InjectOptions l;   l.policy = obsv::ConflictPolicy::kError;
//
// Both languages give it the same contract: what happens to a user's
// matcher on an enforced label (say `tenant`, enforced as `tenant="a"`)
// inside a selector. In every case the enforced matchers are added.
#ifndef OBSV_SCOPE_POLICY_H_
#define OBSV_SCOPE_POLICY_H_

namespace obsv {

enum class ConflictPolicy : unsigned char {
  // Refuse the query (PermissionDenied, with the position of the user's
  // matcher) unless the matcher is identical to an enforced one (same
  // operator and value: `tenant="a"`; dropped as redundant), or it is an
  // equality whose value every enforced matcher on that label accepts
  // (`tenant="a"` under `tenant=~"a|b"`: kept, narrowing within the allowed
  // set). Regex and negative matchers are refused unless identical, even
  // when they would be harmless (`tenant!="b"`): their meaning is not
  // decided here. prom-label-proxy's -error-on-replace, plus the narrowing
  // case.
  kError,
  // Drop the user's matchers on enforced labels.
  kReplace,
  // Keep them: the selector matches their intersection with the enforced
  // set (possibly nothing).
  kIntersect,
};

}  // namespace obsv

#endif  // OBSV_SCOPE_POLICY_H_
