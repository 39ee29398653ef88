package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

// kinds maps apiVersion/kind to a fresh typed object to decode into.
var kinds = map[string]func() any{
	"apps/v1/Deployment":                      func() any { return &appsv1.Deployment{} },
	"v1/ConfigMap":                            func() any { return &corev1.ConfigMap{} },
	"v1/Secret":                               func() any { return &corev1.Secret{} },
	"v1/Service":                              func() any { return &corev1.Service{} },
	"v1/ServiceAccount":                       func() any { return &corev1.ServiceAccount{} },
	"v1/Pod":                                  func() any { return &corev1.Pod{} },
	"policy/v1/PodDisruptionBudget":           func() any { return &policyv1.PodDisruptionBudget{} },
	"networking.k8s.io/v1/NetworkPolicy":      func() any { return &networkingv1.NetworkPolicy{} },
}

// Custom resources we render but have no Go types for; checked for shape only.
var customKinds = map[string]bool{"monitoring.coreos.com/v1/ServiceMonitor": true}

func validateManifests(path string) []string {
	var text []byte
	var err error
	if path == "-" {
		text, err = io.ReadAll(os.Stdin)
	} else {
		text, err = os.ReadFile(path)
	}
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	for i, doc := range bytes.Split(text, []byte("\n---")) {
		if strings.TrimSpace(stripComments(string(doc))) == "" {
			continue
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal(doc, &head); err != nil {
			problems = append(problems, fmt.Sprintf("document %d: not YAML: %v", i, err))
			continue
		}
		key := head.APIVersion + "/" + head.Kind
		where := fmt.Sprintf("%s %q", key, head.Metadata.Name)
		if head.Metadata.Name == "" {
			problems = append(problems, fmt.Sprintf("document %d (%s): no metadata.name", i, key))
		}
		if customKinds[key] {
			continue
		}
		fresh, ok := kinds[key]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: kind not known to this validator", where))
			continue
		}
		if err := yaml.UnmarshalStrict(doc, fresh()); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", where, err))
		}
	}
	return problems
}

func stripComments(doc string) string {
	var kept []string
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			kept = append(kept, line)
		}
	}
	return strings.Join(kept, "\n")
}
