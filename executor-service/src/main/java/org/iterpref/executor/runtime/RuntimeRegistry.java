package org.iterpref.executor.runtime;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The languages this executor runs, by request name. */
public final class RuntimeRegistry {

    private final Map<String, LanguageRuntime> runtimes;

    public RuntimeRegistry(List<LanguageRuntime> runtimes) {
        this.runtimes = runtimes.stream()
                .collect(Collectors.toMap(LanguageRuntime::language, Function.identity(), (a, b) -> a, TreeMap::new));
    }

    public Optional<LanguageRuntime> find(String language) {
        return Optional.ofNullable(language == null ? null : runtimes.get(language));
    }

    public Collection<String> languages() {
        return runtimes.keySet();
    }
}
