package io.usmp;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The layer rules of the protocol library: arrows only point down, from the CLI and the Netty
 * transport through the public API to the sans-IO engine, the handshake, wire and crypto, and the
 * leaf package of shared types. A new import that breaks them fails the build.
 */
@AnalyzeClasses(packages = "io.usmp", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule layersPointDown = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("protocol").definedBy("io.usmp.protocol..")
            .layer("wire").definedBy("io.usmp.wire..")
            .layer("crypto").definedBy("io.usmp.crypto..")
            .layer("handshake").definedBy("io.usmp.handshake..")
            .layer("session").definedBy("io.usmp.session..")
            .layer("api").definedBy("io.usmp")
            .layer("transport").definedBy("io.usmp.transport..")
            .layer("cli").definedBy("io.usmp.cli..")
            .whereLayer("protocol").mayNotAccessAnyLayer()
            .whereLayer("wire").mayOnlyAccessLayers("protocol")
            .whereLayer("crypto").mayOnlyAccessLayers("protocol")
            .whereLayer("handshake").mayOnlyAccessLayers("wire", "crypto", "protocol")
            .whereLayer("session").mayOnlyAccessLayers("handshake", "wire", "crypto", "protocol")
            .whereLayer("api").mayOnlyAccessLayers("session", "handshake", "crypto", "protocol")
            .whereLayer("transport").mayOnlyAccessLayers("api", "session", "handshake", "wire", "crypto", "protocol")
            .whereLayer("cli").mayOnlyAccessLayers("api", "protocol")
            .whereLayer("transport").mayNotBeAccessedByAnyLayer()
            .whereLayer("cli").mayNotBeAccessedByAnyLayer();

    @ArchTest
    static final ArchRule nettyOnlyInTheTransport = noClasses().that().resideOutsideOfPackage("io.usmp.transport..")
            .should().dependOnClassesThat().resideInAPackage("io.netty..")
            .because("the transport package is the one Netty shell around the sans-IO engine");

    @ArchTest
    static final ArchRule bouncyCastleOnlyInCrypto = noClasses().that().resideOutsideOfPackage("io.usmp.crypto..")
            .should().dependOnClassesThat().resideInAPackage("org.bouncycastle..")
            .because("primitives are reached through the USMP JCA provider");

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.usmp.(**)").should().beFreeOfCycles();
}
