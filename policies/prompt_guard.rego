# Prompt-injection guard for the routes that opt in (`"prompt_guard": true` in a route of
# data.openclaw.routes): scores the text an agent request carries against weighted patterns and
# blocks it above a threshold. Patterns, weights, the threshold and the folding table are data
# (data.openclaw.prompt_guard, in policies/data.json beside the routes), so operators tune
# the guard without touching this file. docs/prompt-guard.md has the whole of it.
#
# A pattern guard is a tripwire for the common, copy-pasted attacks, not a defence against an
# attacker who adapts: someone who reads the deny reason and rephrases will get through.
package prompt_guard

import rego.v1

cfg := object.get(data.openclaw, "prompt_guard", {})

route := data.envoy.authz.route

# --- which routes, which threshold ---------------------------------------------------------
#
# `prompt_guard`: absent or false, off; true, on with cfg.threshold; an object, on, with its
# `threshold` (a number from 0 to 1) when it has one. Any other value is a mistake that blocks
# the route, rather than a guess that could leave it open.

enabled if route.prompt_guard == true

enabled if is_object(route.prompt_guard)

enabled if setting_problem

threshold := route.prompt_guard.threshold if {
	is_object(route.prompt_guard)
	is_number(route.prompt_guard.threshold)
} else := cfg.threshold

setting_problem := "the route's prompt_guard must be true, false or an object" if {
	setting := route.prompt_guard
	not is_boolean(setting)
	not is_object(setting)
} else := "the route's prompt_guard.threshold must be a number from 0 to 1" if {
	is_object(route.prompt_guard)
	"threshold" in object.keys(route.prompt_guard)
	not threshold_valid
}

threshold_valid if {
	is_number(route.prompt_guard.threshold)
	route.prompt_guard.threshold >= 0
	route.prompt_guard.threshold <= 1
}

# --- the decision, for envoy.authz.allow ----------------------------------------------------

# Defined only on a guarded route, and only when the request is to be refused.
blocked if {
	enabled
	problem
}

blocked if {
	enabled
	not problem
	verdict.score > threshold
}

reason := concat("", ["prompt guard: ", problem]) if {
	problem
} else := concat("", [
	"prompt injection suspected (score ", sprintf("%v", [verdict.score]),
	" > ", sprintf("%v", [threshold]), "): ", concat(", ", verdict.categories),
])

# What the decision log and Envoy's dynamic metadata get besides the reason.
result := {"prompt_guard": report, "dynamic_metadata": {"prompt_guard": report}}

report := {"problem": problem} if {
	problem
} else := object.union(verdict, {"threshold": threshold})

# Requests that cannot be scanned whole are refused: what was not read cannot be scored.
problem := setting_problem if {
	setting_problem
} else := concat("", ["data.openclaw.prompt_guard.", min(config_errors), " is missing or invalid"]) if {
	count(config_errors) > 0
} else := concat("", ["pattern ", min(invalid_patterns), " in data.openclaw.prompt_guard is invalid"]) if {
	count(invalid_patterns) > 0
} else := "the request body was truncated, so its text cannot be scanned" if {
	input.truncated_body == true
} else := "the request carries too much text to scan" if {
	sum([count(t) | some t in texts]) > cfg.max_text_length
} else := "the patterns in data.openclaw.prompt_guard are not a valid regex" if {
	# Only with text to scan: compiling the groups costs a thread's first scan ~80 ms, which a
	# request without text (an empty POST) need not pay; with none, nothing can match anyway.
	count(texts) > 0
	not patterns_compile
} else := "the model in data.prompt_guard_model is invalid: it needs a bias and a weight of every feature for each category, numbers, the ids of the patterns it knows and a max_negative" if {
	model_invalid
}

# A setting of the wrong type would not fail, it would switch the guard off: a threshold that is
# a string is never exceeded, a minimum length that is one skips every text, a fold table that
# is not an object folds nothing and so finds nothing.
config_errors contains "threshold" if not number_from(object.get(cfg, "threshold", null), 0, 1)

config_errors contains key if {
	some key in ["min_text_length", "max_text_length"]
	not number_from(object.get(cfg, key, null), 0, 1e12)
}

config_errors contains concat(".", ["base64", key]) if {
	some key in ["min_length", "max_length", "max_segments"]
	not number_from(object.get(cfg, ["base64", key], null), 1, 1e12)
}

config_errors contains "fold" if not is_object(object.get(cfg, "fold", null))

config_errors contains "patterns" if not is_array(object.get(cfg, "patterns", null))

number_from(x, low, high) if {
	is_number(x)
	x >= low
	x <= high
}

# A pattern whose weight is not a number from 0 to 1 (or whose regex or group is not a string) would
# silently count for nothing; an invalid regex makes its group's alternation invalid.
invalid_patterns contains pattern_name(p) if {
	some p in cfg.patterns
	not pattern_valid(p)
}

pattern_name(p) := p.id if is_string(p.id)

else := "without an id"

pattern_valid(p) if {
	is_string(p.id)
	is_string(p.category)
	is_string(p.regex)
	number_from(p.weight, 0, 1)
	is_string(object.get(p, "group", ""))
}

patterns_compile if {
	every group in groups {
		is_array(regex.find_n(group, "", 1))
	}
}

# --- the text a request carries -------------------------------------------------------------
#
# Every string in a JSON (or form, or multipart) body, keys and values, wherever it sits:
# chat `messages[].content` as a string or as content parts, `prompt`, `input`, `instructions`,
# JSON-RPC `params` (tool arguments, prompts/get arguments, sampling messages) — an injection
# reaches the model from any field the agent forwards. Without a parsed body, the raw body as
# text. With input.mcp (the MCP filter's metadata, or the JSON-RPC body parsed by the sidecar),
# every string of each request's params too. And the query's names and values (GET /ask?q=…).

texts contains text if {
	some text in ((body_strings | mcp_strings) | query_strings)
	count(text) >= cfg.min_text_length
}

body_strings contains text if {
	some value in strings_of(input.parsed_body)
	text := value
}

body_strings contains input.attributes.request.http.body if {
	not structured_body
	is_string(input.attributes.request.http.body)
}

body_strings contains base64.decode(input.attributes.request.http.rawBody) if {
	not structured_body
	is_string(input.attributes.request.http.rawBody)
}

# A rule to negate: `not is_object(input.parsed_body)` fails, not holds, when it is absent.
structured_body if is_object(input.parsed_body)

structured_body if is_array(input.parsed_body)

query_strings contains text if some text in strings_of(input.parsed_query)

mcp_strings contains text if {
	some request in input.mcp.requests
	some text in strings_of(request.params)
}

mcp_strings contains text if some text in strings_of(input.mcp.params)

# Every string in a JSON value: the strings themselves and the keys of objects.
strings_of(value) := {s |
	walk(value, [path, leaf])
	some s in array.concat([leaf], [k | count(path) > 0; k := path[count(path) - 1]])
	is_string(s)
}

# --- normalization: what the patterns are matched against ------------------------------------
#
# Each text is lower-cased and folded (cfg.fold: Cyrillic and Greek lookalikes, fullwidth forms,
# diacritics to ASCII; zero-width characters dropped; other whitespace to a space). The folded
# text is one view. A text with a run of single letters between separators ("i g n o r e",
# "s.y.s.t.e.m") also gets a compact view: single separators dropped, longer runs of them (the
# gaps between words) made a space, against which the patterns — written with `\W*` between
# words — still match. Each base64 run in the original text that
# decodes to printable text adds the decoded text's own views.
#
# Cost: the module's own regex.match (RE2 compiled into the wasm) takes about 1 ms for 4 KB, so
# every regex here is regex.find_n, which the sidecar runs in V8 with its compiled form kept
# across evaluations; and the fold table is applied only to the characters a text has.

# Each text's views, worked out once per evaluation: the patterns scan them, the model reads
# their words.
text_view_sets[text] := text_views(text) if some text in texts

# The views of one text: its own, and those of each base64 run in it that decodes to text.
text_views(text) := views_of(text) | {view |
	some segment in regex.find_n(base64_run, text, cfg.base64.max_segments)
	decoded := decode_base64(segment)
	some view in views_of(decoded)
}

views_of(text) := {folded} | compact_of(folded) if folded := fold(lower(text))

fold(text) := text if {
	not finds(`[^\x{20}-\x{7e}]`, text)
} else := strings.replace_n(
	{c: folded |
		some c in {c | some c in split(text, "")}
		folded := cfg.fold[c]
	},
	text,
)

# Runs of two or more separators were the gaps between words: they stay a space. So is a single
# space where the letters are joined by something else ("i.g.n.o.r.e a.l.l").
compact_of(folded) := {strings.replace_n({"\u0001": " "}, strings.replace_n(separators, gapped))} if {
	finds(`(^|[^a-z0-9])[a-z0-9]([ .\-_*|/]+[a-z0-9]){5,}([^a-z0-9]|$)`, folded)
	gaps := regex.replace(folded, `[ .,;:\-_*|/]{2,}`, "\u0001")
	gapped := spaces_as_gaps(gaps)
} else := set()

spaces_as_gaps(text) := strings.replace_n({" ": "\u0001"}, text) if {
	finds(`[a-z0-9][.\-_*|/][a-z0-9][.\-_*|/][a-z0-9]`, text)
} else := text

separators := {c: "" | some c in split(" .,;:-_*|/\\'\"!?()[]{}<>~`+=#@&%^$", "")}

finds(pattern, text) if count(regex.find_n(pattern, text, 1)) > 0

base64_run := concat("", ["[A-Za-z0-9+/]{", format_int(cfg.base64.min_length, 10), ",}={0,2}"])

# A run of base64 as text: padded again (a run found in text may have lost its `=`), decoded,
# kept only when it is printable text (an image or a key decodes to bytes that are not).
decode_base64(segment) := decoded if {
	count(segment) <= cfg.base64.max_length
	unpadded := trim_right(segment, "=")
	count(unpadded) % 4 != 1
	padded := concat("", [unpadded, substring("==", 0, (4 - (count(unpadded) % 4)) % 4)])
	decoded := base64.decode(padded)
	not finds(`[^\x{20}-\x{7e}\x{a0}-\x{fffc}\x{10000}-\x{10ffff}\t\r\n]`, decoded)
}

# --- scoring -------------------------------------------------------------------------------
#
# Patterns: score = 1 - Π (1 - weight) over the patterns that match any view: one strong
# pattern is enough, weak ones add up (two of 0.4 make 0.64). With the model (below), a pattern
# the model was trained with is one of its features instead, weighed by it against the words
# around the match; only patterns added since count by their own weight. The patterns are tried
# first as alternations, one per `group` (a pattern's own, else its category), so a text no
# pattern matches costs one scan per group and view; the patterns of a group that matches are
# then tried one by one. Not one alternation of every pattern: V8 compiles a regex of over 20 KB
# to bytecode rather than machine code, which runs 15 to 50 times slower (a test keeps the
# shipped groups under it).

group_of(p) := p.group if is_string(p.group)

else := p.category

# Each pattern with its group, worked out once per evaluation.
grouped := [[group_of(p), p] | some p in cfg.patterns]

groups[name] := concat("|", [concat("", ["(?:", entry[1].regex, ")"]) | some entry in grouped; entry[0] == name]) if {
	some name in {entry[0] | some entry in grouped}
}

# The patterns matching any of `views` (one text's).
matches_of(views) := {p |
	some view in views
	some name, group in groups
	finds(group, view)
	some entry in grouped
	entry[0] == name
	p := entry[1]
	finds(p.regex, view)
}

# Each text's matching patterns, worked out once per evaluation.
text_matches[text] := matches_of(text_set) if some text, text_set in text_view_sets

matched contains p if {
	some matches in text_matches
	some p in matches
}

# The patterns that count by their own weight: all of them without a model, else those it was
# not trained with.
weighed contains p if {
	some p in matched
	not model_patterns[p.id]
}

pattern_score := 1 - product([w | some p in weighed; w := 1 - p.weight])

# --- the model: a linear classifier per category over the words and patterns of each text ----
#
# Optional (data.prompt_guard_model, in policies/prompt_guard_model/data.json, which
# scripts/prompt-guard-train.mjs writes from the corpus; outside data.openclaw, which `cfg` reads
# whole, so that OPA's evaluator looks its weights up one by one): `categories`, a `bias` for
# each, `weights`, by feature, one for each category in the same order, `patterns`, the ids of
# the patterns it kept a weight for, and `max_negative`, the most the negative weights of a text
# may take off its logit. A feature is a word of any of a text's views (each counted once; pairs
# of neighbouring words were tried and generalised worse in cross-validation), or `pattern:<id>`
# for a pattern matching one of them. A category's logit for the text is its bias plus the
# positive weights of the features the text has, plus their negative weights down to
# -max_negative: the words that mark a report quoting an attack ("the phishing email said …")
# can outweigh a weak match, but no amount of benign padding outweighs a strong one. A text
# scores, per category, 0.5 + z / (2 (1 + |z|)) for its logit z: above 0.5 exactly when z > 0,
# and the request the highest of its texts. Texts are scored apart, so a short injection is not
# averaged away by the benign text of the fields around it. Rego has no exp(): the curve is not
# a logistic one, but it is monotone, so a threshold on it is a threshold on z.

default model_names := []

model_names := data.prompt_guard_model.categories

model_patterns := {id: true | some id in data.prompt_guard_model.patterns}

# The features of one text, as training computed them (the same functions, through opa eval).
text_features(text) := view_features(views, matches_of(views)) if views := text_views(text)

view_features(views, matches) := words_of(views) | {concat("", ["pattern:", p.id]) | some p in matches}

words_of(views) := {word |
	some view in views
	some word in regex.find_n(`[a-z0-9]+`, view, -1)
}

# The logit of each category for a text with `features`.
features_logits(features) := {category: z |
	weights := [w | some feature in features; w := data.prompt_guard_model.weights[feature]]
	every w in weights {
		is_array(w)
		count(w) == count(model_names)
	}
	some i, category in model_names
	positive := sum([w[i] | some w in weights; w[i] > 0])
	negative := sum([w[i] | some w in weights; w[i] < 0])
	z := (data.prompt_guard_model.bias[i] + positive) + max([negative, 0 - data.prompt_guard_model.max_negative])
}

# Each text's logits, worked out once per evaluation.
logits[text] := features_logits(view_features(text_set, text_matches[text])) if {
	count(model_names) > 0
	some text, text_set in text_view_sets
}

model_scores := [{"category": category, "z": z, "score": 0.5 + (z / (2 * (1 + abs(z))))} |
	some by_category in logits
	some category, z in by_category
]

# A bias or a weight that is missing or not a number leaves its category without a logit, and a
# pattern list that is not one would let known patterns count twice or not at all: the model
# would count for other than it says, silently, so the route refuses instead (`problem`).
model_invalid if {
	some by_category in logits
	count(by_category) != count(model_names)
}

model_invalid if {
	count(model_names) > 0
	not is_object(data.prompt_guard_model.weights)
}

model_invalid if {
	count(model_names) > 0
	not model_lists_patterns
}

model_lists_patterns if {
	is_array(data.prompt_guard_model.patterns)
	every id in data.prompt_guard_model.patterns {
		is_string(id)
	}
	number_from(data.prompt_guard_model.max_negative, 0, 1e6)
}

model_score := max(array.concat([0], [s.score | some s in model_scores]))

# A logit is a sum of numbers of three decimals, so a tie is exactly 0, which the engines'
# arithmetic (float64 in wasm, decimals in OPA's evaluator) may land a hair either side of: half
# the last decimal decides alike in both.
model_categories := {s.category | some s in model_scores; s.z > 0.0005}

raw_score := max([pattern_score, model_score])

verdict := {
	"score": round(raw_score * 100) / 100,
	"categories": sort({p.category | some p in weighed} | model_categories),
	"patterns": sort({p.id | some p in matched}),
	"model_score": round(model_score * 100) / 100,
}
