package io.usmp.ra;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The adapter uses the protocol library only through its public API package and its leaf package
 * of shared types; the API jar that applications compile against stands on its own.
 */
@AnalyzeClasses(packages = "io.usmp.ra", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule adapterOnlyThroughTheApi = classes().that().resideInAPackage("io.usmp.ra..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("io.usmp", "io.usmp.protocol..", "io.usmp.ra..",
                    "java..", "javax..", "jakarta..");

    @ArchTest
    static final ArchRule applicationApiStandsAlone = classes().that().resideInAPackage("io.usmp.ra.api..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("io.usmp.ra.api..", "java..", "jakarta..");

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.usmp.(**)").should().beFreeOfCycles();
}
