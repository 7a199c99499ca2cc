package org.iterpref.generator.source.buginjection;

import java.util.List;

/** Finds the candidate mutations of one kind (or a few related kinds) in Python source. */
interface SiteFinder {

    List<Mutation> find(PythonSource source);
}
